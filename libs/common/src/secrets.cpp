#include "gapkit/common/secrets.hpp"

#include <sys/prctl.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

namespace gapkit::common {

Status ProtectProcessMemory() {
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        return MakeError(ErrorCode::kInternal, fmt::format("prctl(PR_SET_DUMPABLE): {}", std::strerror(errno)));
    }
    return Ok();
}

// explicit_bzero (glibc) is the wipe the optimiser is not allowed to remove as a dead store.
void Wipe(std::string& secret) {
    ::explicit_bzero(secret.data(), secret.size());
    secret.clear();
}

void Wipe(std::span<std::uint8_t> secret) { ::explicit_bzero(secret.data(), secret.size()); }

}  // namespace gapkit::common
