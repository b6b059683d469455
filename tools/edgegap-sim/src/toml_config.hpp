#pragma once

// TOML config files are read by turning them into the equivalent JSON text, so one parser (and
// one set of error messages) serves both formats.

#include <string>
#include <string_view>

#include "gapkit/common/result.hpp"

namespace gapkit::edgegap_sim {

/// Converts a TOML document to JSON text; a syntax error names the line and column.
common::Result<std::string> TomlToJson(std::string_view toml_text);

}  // namespace gapkit::edgegap_sim
