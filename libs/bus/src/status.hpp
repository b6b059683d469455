#pragma once

// The one place where natsStatus becomes a gapkit Error.

#include <nats/nats.h>

#include <string_view>

#include "gapkit/common/result.hpp"

namespace gapkit::bus {

// Maps `status` and nats.c's error text to an Error whose message starts with `action`
// ("connecting to tls://...") and says the cause in words an operator can act on.
common::Error MapNatsStatus(natsStatus status, std::string_view last_error, std::string_view action);

// MapNatsStatus with the calling thread's nats_GetLastError text.
common::Error NatsError(natsStatus status, std::string_view action);

// Wraps a nats.c call result: Ok() for NATS_OK, NatsError otherwise.
common::Status CheckNats(natsStatus status, std::string_view action);

}  // namespace gapkit::bus
