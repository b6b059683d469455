#pragma once

// Shared by the protocol parsers (outside data): literal IP checks and JSON parsing that reports
// errors as values.

#include <arpa/inet.h>

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

// Boost.JSON reports errors through error_code here, so nothing on this path throws.
inline common::Result<boost::json::value> ParseJson(std::string_view text) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(text, ec);
    if (ec) {
        return common::MakeError(common::ErrorCode::kInvalidArgument, fmt::format("invalid JSON: {}", ec.message()));
    }
    return value;
}

}  // namespace gapkit::protocol
