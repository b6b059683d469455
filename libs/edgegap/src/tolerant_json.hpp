#pragma once

// Tolerant readers for the fields of one JSON object, shared by every Edgegap parser: Edgegap's
// answers vary (numbers as strings, absent fields), so an odd field is skipped, never an error.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "gapkit/common/result.hpp"

namespace gapkit::edgegap::detail {

// Parses `json` into a value; malformed text is a kProtocol error naming `what`.
common::Result<boost::json::value> ParseJson(std::string_view json, std::string_view what);

// Reads the fields of one object. Optional readers return nothing for a missing, null or
// ill-typed field; Require* readers record the first missing field, reported by `status()`.
class Fields {
  public:
    Fields(const boost::json::object& object, std::string_view what) : object_(object), what_(what) {}

    // Strings, and numbers as their decimal text.
    std::optional<std::string> String(std::string_view key) const;
    // Integers, and strings holding a decimal integer.
    std::optional<std::int64_t> Int(std::string_view key) const;
    std::optional<double> Double(std::string_view key) const;
    // Booleans, and the strings "true"/"false" (any case).
    std::optional<bool> Bool(std::string_view key) const;
    const boost::json::object* Object(std::string_view key) const;
    const boost::json::array* Array(std::string_view key) const;

    std::string StringOr(std::string_view key, std::string_view fallback = {}) const;
    int IntOr(std::string_view key, int fallback) const;
    bool BoolOr(std::string_view key, bool fallback) const;

    std::string RequireString(std::string_view key);
    const boost::json::array& RequireArray(std::string_view key);

    // Records a missing field found by the caller (e.g. one of two alternative names).
    void Missing(std::string_view key);

    common::Status status() const;

  private:
    const boost::json::value* Find(std::string_view key) const;

    const boost::json::object& object_;
    std::string what_;
    std::string missing_;
};

// Returns `value` as an object or records that `what` is not one.
common::Result<const boost::json::object*> AsObject(const boost::json::value& value, std::string_view what);

}  // namespace gapkit::edgegap::detail
