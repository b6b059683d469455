#pragma once

// Shared by the protocol parsers (outside data): literal IP checks and JSON parsing that reports
// errors as values.

#ifdef _WIN32
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#endif

#include <string>
#include <string_view>

#include <fmt/core.h>
#include <boost/json.hpp>

#include "gapkit/common/result.hpp"

namespace gapkit::protocol {

inline bool IsIpAddress(const std::string& text) {
    unsigned char buffer[16];
    return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// The error_code overload of boost::json::parse (Boost 1.81) reports malformed input and too-deep
// nesting through `ec`; only an allocation failure can throw (std::bad_alloc from the memory
// resource). That one is not caught here: the text is bounded by the frame and bus payload limits,
// and an out-of-memory process is left to its top-level handler like any other allocation.
inline common::Result<boost::json::value> ParseJson(std::string_view text) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(text, ec);
    if (ec) {
        return common::MakeError(common::ErrorCode::kInvalidArgument, fmt::format("invalid JSON: {}", ec.message()));
    }
    return value;
}

}  // namespace gapkit::protocol
