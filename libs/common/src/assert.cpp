#include "gapkit/common/assert.hpp"

#include <cstdlib>

#include <fmt/core.h>

#include "gapkit/common/log.hpp"

namespace gapkit::common {

void AssertionFailed(std::string_view condition, std::string_view why, std::string_view file, int line) {
    // Through the sink, not straight to stderr: a game engine's console or a service's log shipper
    // is where someone will look. The default sink flushes each line, so the abort does not lose it.
    Log(LogLevel::kError, "assert", fmt::format("assertion failed: {} ({}) at {}:{}", condition, why, file, line));
    std::abort();
}

}  // namespace gapkit::common
