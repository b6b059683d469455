#include "toml_config.hpp"

#include <sstream>

#include <fmt/core.h>
#include <toml++/toml.h>

namespace gapkit::edgegap_sim {

common::Result<std::string> TomlToJson(std::string_view toml_text) {
    try {
        const toml::table table = toml::parse(toml_text);
        std::ostringstream json;
        json << toml::json_formatter{table};
        return json.str();
    } catch (const toml::parse_error& error) {
        return common::MakeError(common::ErrorCode::kInvalidArgument,
                                 fmt::format("invalid TOML at line {}, column {}: {}", error.source().begin.line,
                                             error.source().begin.column, error.description()));
    }
}

}  // namespace gapkit::edgegap_sim
