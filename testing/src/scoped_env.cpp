#include "gapkit/testing/scoped_env.hpp"

#include <cstdlib>

#include "gapkit/common/env.hpp"

namespace gapkit::testing {

void SetEnv(const std::string& name, const std::optional<std::string>& value) {
    if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
    } else {
        ::unsetenv(name.c_str());
    }
}

ScopedEnv::ScopedEnv(const EnvOverrides& overrides) {
    for (const auto& [name, value] : overrides) {
        saved_.emplace(name, common::GetEnv(name));
        SetEnv(name, value);
    }
}

ScopedEnv::~ScopedEnv() {
    for (const auto& [name, value] : saved_) SetEnv(name, value);
}

}  // namespace gapkit::testing
