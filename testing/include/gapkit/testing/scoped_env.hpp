#pragma once

/// @file
/// Sets environment variables for the lifetime of a scope, for tests of code that reads the env.

#include <map>
#include <optional>
#include <string>

namespace gapkit::testing {

/// Variable name -> value; `std::nullopt` means "unset it".
using EnvOverrides = std::map<std::string, std::optional<std::string>>;

/// Applies `overrides` on construction and restores every touched variable on destruction.
///
/// Threads: `setenv` is not thread-safe; use it only while no other thread reads the env (in a test
/// body before starting work is fine). Not copyable or movable.
class ScopedEnv {
  public:
    explicit ScopedEnv(const EnvOverrides& overrides);
    ~ScopedEnv();

    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

  private:
    EnvOverrides saved_;  ///< The values before construction, restored by the destructor.
};

/// Sets (value) or unsets (nullopt) one variable in this process.
void SetEnv(const std::string& name, const std::optional<std::string>& value);

}  // namespace gapkit::testing
