#pragma once

/// @file
/// The message type every bus call hands out: plain owned strings, no nats.c type.

#include <string>

namespace gapkit::bus {

/// One NATS message, copied out of the client library, so it can be kept and moved freely.
struct Message {
    std::string subject;  ///< The subject it was published on.
    std::string reply;    ///< The reply inbox of a request; empty for a plain publish.
    std::string data;     ///< The payload (may be binary).
    /// The last part of a streamed reply (`Connection::RespondLast`): no part follows it.
    bool last_part = false;
};

}  // namespace gapkit::bus
