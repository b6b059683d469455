#pragma once

/// @file
/// `GAPKIT_ASSERT`: checks of internal invariants, the things a bug (never outside data) breaks.
///
/// `GAPKIT_ASSERT(condition, why)` does nothing when `condition` holds. When it does not, it logs
/// one error line through the log sink (log.hpp), under the component "assert":
/// `assertion failed: <condition> (<why>) at <file>:<line>`, and calls `std::abort()`, which leaves
/// a core dump and stops the process with SIGABRT (exit status 134 from a shell).
///
/// It is on in every build type, unlike `assert`: the shipped build is RelWithDebInfo (NDEBUG), and
/// the invariants it guards protect paid game sessions and player tokens, where going on with state
/// already known to be wrong costs more than a restart by the supervisor. Each check is a
/// comparison or two, so keep `condition` cheap and free of side effects.
///
/// Never use it on data from the network, env, the command line, files or NATS: validate those and
/// return a `common::Error` (result.hpp). `why` says what the invariant is, for the reader of the
/// log line; it is a string literal or another `std::string_view`.
///
/// Threads: any thread. The sink runs on the failing thread just before the abort.

#include <string_view>

namespace gapkit::common {

/// Logs the failed assertion and aborts. Called by `GAPKIT_ASSERT` only.
[[noreturn]] void AssertionFailed(std::string_view condition, std::string_view why, std::string_view file, int line);

}  // namespace gapkit::common

#define GAPKIT_ASSERT(condition, why)                                               \
    do {                                                                            \
        if (!(condition)) [[unlikely]] {                                            \
            ::gapkit::common::AssertionFailed(#condition, why, __FILE__, __LINE__); \
        }                                                                           \
    } while (false)
