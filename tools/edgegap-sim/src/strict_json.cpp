#include "strict_json.hpp"

#include <fmt/core.h>

namespace gapkit::edgegap_sim {
namespace {

using common::ErrorCode;
using common::MakeError;

tl::unexpected<common::Error> TypeError(std::string_view where, std::string_view key, std::string_view type) {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}.{}: must be {}", where, key, type));
}

}  // namespace

common::Status ReadString(const boost::json::object& object, std::string_view key, std::string_view where,
                          std::string& out) {
    const auto* value = object.if_contains(key);
    if (value == nullptr || value->is_null()) return common::Ok();
    if (!value->is_string()) return TypeError(where, key, "a string");
    out = std::string(value->get_string());
    return common::Ok();
}

common::Status ReadBool(const boost::json::object& object, std::string_view key, std::string_view where, bool& out) {
    const auto* value = object.if_contains(key);
    if (value == nullptr || value->is_null()) return common::Ok();
    if (!value->is_bool()) return TypeError(where, key, "true or false");
    out = value->get_bool();
    return common::Ok();
}

common::Status ReadInt(const boost::json::object& object, std::string_view key, std::string_view where,
                       std::int64_t min_value, std::int64_t max_value, std::int64_t& out) {
    const auto* value = object.if_contains(key);
    if (value == nullptr || value->is_null()) return common::Ok();
    boost::system::error_code ec;
    const auto number = value->to_number<std::int64_t>(ec);
    if (ec || number < min_value || number > max_value) {
        return TypeError(where, key, fmt::format("an integer in {}..{}", min_value, max_value));
    }
    out = number;
    return common::Ok();
}

common::Status ReadDouble(const boost::json::object& object, std::string_view key, std::string_view where,
                          double& out) {
    const auto* value = object.if_contains(key);
    if (value == nullptr || value->is_null()) return common::Ok();
    boost::system::error_code ec;
    const auto number = value->to_number<double>(ec);
    if (ec) return TypeError(where, key, "a number");
    out = number;
    return common::Ok();
}

common::Status ReadStrings(const boost::json::object& object, std::string_view key, std::string_view where,
                           std::vector<std::string>& out) {
    const auto* value = object.if_contains(key);
    if (value == nullptr || value->is_null()) return common::Ok();
    if (!value->is_array()) return TypeError(where, key, "an array of strings");
    out.clear();
    for (const auto& item : value->get_array()) {
        if (!item.is_string()) return TypeError(where, key, "an array of strings");
        out.emplace_back(item.get_string());
    }
    return common::Ok();
}

common::Result<boost::json::object> ParseObject(std::string_view text, std::string_view what) {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec) return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}: invalid JSON: {}", what, ec.message()));
    if (!value.is_object())
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}: must be a JSON object", what));
    return std::move(value.get_object());
}

}  // namespace gapkit::edgegap_sim
