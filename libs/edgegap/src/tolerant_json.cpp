#include "tolerant_json.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/core.h>
#include <boost/json/parse.hpp>

namespace gapkit::edgegap::detail {
namespace {

using common::ErrorCode;

std::optional<std::int64_t> ParseDecimal(std::string_view text) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        if (x != b[i]) return false;
    }
    return true;
}

}  // namespace

common::Result<boost::json::value> ParseJson(std::string_view json, std::string_view what) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(boost::json::string_view(json.data(), json.size()), ec);
    if (ec) return common::MakeError(ErrorCode::kProtocol, fmt::format("{} is not valid JSON: {}", what, ec.message()));
    return value;
}

common::Result<const boost::json::object*> AsObject(const boost::json::value& value, std::string_view what) {
    if (const auto* object = value.if_object()) return object;
    return common::MakeError(ErrorCode::kProtocol, fmt::format("{} is not a JSON object", what));
}

const boost::json::value* Fields::Find(std::string_view key) const {
    const auto* value = object_.if_contains(boost::json::string_view(key.data(), key.size()));
    return (value == nullptr || value->is_null()) ? nullptr : value;
}

std::optional<std::string> Fields::String(std::string_view key) const {
    const auto* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (const auto* text = value->if_string()) return std::string(text->data(), text->size());
    if (value->is_int64()) return std::to_string(value->get_int64());
    if (value->is_uint64()) return std::to_string(value->get_uint64());
    return std::nullopt;
}

std::optional<std::int64_t> Fields::Int(std::string_view key) const {
    const auto* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_int64()) return value->get_int64();
    if (value->is_uint64() &&
        value->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return static_cast<std::int64_t>(value->get_uint64());
    }
    if (value->is_double()) {
        const double number = value->get_double();
        // Only whole numbers within range; anything else is not the integer the field promises.
        if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < 9.0e18) {
            return static_cast<std::int64_t>(number);
        }
        return std::nullopt;
    }
    if (const auto* text = value->if_string()) return ParseDecimal(std::string_view(text->data(), text->size()));
    return std::nullopt;
}

std::optional<double> Fields::Double(std::string_view key) const {
    const auto* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_double()) return value->get_double();
    if (value->is_int64()) return static_cast<double>(value->get_int64());
    if (value->is_uint64()) return static_cast<double>(value->get_uint64());
    return std::nullopt;
}

std::optional<bool> Fields::Bool(std::string_view key) const {
    const auto* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_bool()) return value->get_bool();
    if (const auto* text = value->if_string()) {
        const std::string_view view(text->data(), text->size());
        if (EqualsIgnoreCase(view, "true")) return true;
        if (EqualsIgnoreCase(view, "false")) return false;
    }
    return std::nullopt;
}

const boost::json::object* Fields::Object(std::string_view key) const {
    const auto* value = Find(key);
    return value == nullptr ? nullptr : value->if_object();
}

const boost::json::array* Fields::Array(std::string_view key) const {
    const auto* value = Find(key);
    return value == nullptr ? nullptr : value->if_array();
}

std::string Fields::StringOr(std::string_view key, std::string_view fallback) const {
    return String(key).value_or(std::string(fallback));
}

int Fields::IntOr(std::string_view key, int fallback) const {
    const auto value = Int(key);
    if (!value || *value < std::numeric_limits<int>::min() || *value > std::numeric_limits<int>::max()) return fallback;
    return static_cast<int>(*value);
}

bool Fields::BoolOr(std::string_view key, bool fallback) const { return Bool(key).value_or(fallback); }

std::string Fields::RequireString(std::string_view key) {
    auto value = String(key);
    if (!value || value->empty()) Missing(key);
    return value.value_or(std::string());
}

const boost::json::array& Fields::RequireArray(std::string_view key) {
    static const boost::json::array kEmpty;
    const auto* array = Array(key);
    if (array == nullptr) Missing(key);
    return array == nullptr ? kEmpty : *array;
}

void Fields::Missing(std::string_view key) {
    if (missing_.empty()) missing_ = std::string(key);
}

common::Status Fields::status() const {
    if (missing_.empty()) return common::Ok();
    return common::MakeError(
        ErrorCode::kProtocol,
        fmt::format("{} lacks the required field '{}' (or it has the wrong type)", what_, missing_));
}

}  // namespace gapkit::edgegap::detail
