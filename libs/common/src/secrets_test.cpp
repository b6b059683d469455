#include "gapkit/common/secrets.hpp"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include <gtest/gtest.h>

namespace gapkit::common {
namespace {

TEST(Secrets, WipeZeroesAndEmptiesAString) {
    std::string secret = "0123456789abcdef0123456789abcdef";
    const char* bytes = secret.data();
    const std::size_t size = secret.size();
    Wipe(secret);
    EXPECT_TRUE(secret.empty());
    // The buffer is still the string's own (clear keeps the capacity), so reading it is defined.
    EXPECT_TRUE(std::all_of(bytes, bytes + size, [](char c) { return c == 0; }));
}

TEST(Secrets, WipeZeroesABuffer) {
    std::array<std::uint8_t, 32> key{};
    key.fill(0xab);
    Wipe(key);
    EXPECT_TRUE(std::all_of(key.begin(), key.end(), [](std::uint8_t b) { return b == 0; }));
}

// In a child process, so the test binary itself stays dumpable for debuggers.
TEST(Secrets, ProtectProcessMemoryMakesTheProcessUndumpable) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const bool ok = ProtectProcessMemory().has_value() && ::prctl(PR_GET_DUMPABLE) == 0;
        ::_exit(ok ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace gapkit::common
