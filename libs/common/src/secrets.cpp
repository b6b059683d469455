#include "gapkit/common/secrets.hpp"

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

namespace gapkit::common {

Status ProtectProcessMemory() {
#ifdef __linux__
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        return MakeError(ErrorCode::kInternal, fmt::format("prctl(PR_SET_DUMPABLE): {}", std::strerror(errno)));
    }
    return Ok();
#else
    // Only the services call it, and they are built for Linux only (docs/windows.md).
    return MakeError(ErrorCode::kFailedPrecondition, "no PR_SET_DUMPABLE on this platform");
#endif
}

namespace {

// A call through a volatile function pointer is a wipe the optimiser may not remove as a dead
// store (OpenSSL's OPENSSL_cleanse does the same). Unlike glibc's explicit_bzero it exists on
// every platform the client side builds for.
void* (*const volatile kMemset)(void*, int, std::size_t) = std::memset;

}  // namespace

void Wipe(std::string& secret) {
    kMemset(secret.data(), 0, secret.size());
    secret.clear();
}

void Wipe(std::span<std::uint8_t> secret) { kMemset(secret.data(), 0, secret.size()); }

}  // namespace gapkit::common
