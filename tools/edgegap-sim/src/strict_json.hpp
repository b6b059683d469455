#pragma once

// Strict typed reads of optional JSON object fields, for the simulator's config files and the
// requests it is sent. A present field of the wrong type is an error naming `where.key`; an absent
// field leaves the target untouched. (The Edgegap client reads Edgegap's answers tolerantly
// instead: libs/edgegap/src/tolerant_json.hpp.)

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "gapkit/common/result.hpp"

namespace gapkit::edgegap_sim {

common::Status ReadString(const boost::json::object& object, std::string_view key, std::string_view where,
                          std::string& out);
common::Status ReadBool(const boost::json::object& object, std::string_view key, std::string_view where, bool& out);
common::Status ReadInt(const boost::json::object& object, std::string_view key, std::string_view where,
                       std::int64_t min_value, std::int64_t max_value, std::int64_t& out);
common::Status ReadDouble(const boost::json::object& object, std::string_view key, std::string_view where, double& out);
/// Reads an array of strings.
common::Status ReadStrings(const boost::json::object& object, std::string_view key, std::string_view where,
                           std::vector<std::string>& out);

/// Parses `text` as a JSON object; the error names `what`.
common::Result<boost::json::object> ParseObject(std::string_view text, std::string_view what);

}  // namespace gapkit::edgegap_sim
