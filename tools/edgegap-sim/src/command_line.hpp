#pragma once

// Splitting an Edgegap `arguments` string into argv the way a POSIX shell would for plain words:
// whitespace separates, 'single' and "double" quotes group, backslash escapes (not in '...').
// No expansion of any kind.

#include <string>
#include <string_view>
#include <vector>

#include "gapkit/common/result.hpp"

namespace gapkit::edgegap_sim {

/// Fails (kInvalidArgument) on an unterminated quote or a trailing backslash.
common::Result<std::vector<std::string>> SplitArguments(std::string_view text);

}  // namespace gapkit::edgegap_sim
