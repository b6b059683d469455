#pragma once

/// @file
/// Keeping secrets (the netcode private key, the Edgegap API key, NATS passwords) out of places
/// where they outlive their use: core dumps, other processes of the same user, freed memory.
///
/// Threads: every function may be called from any thread.

#include <cstdint>
#include <span>
#include <string>

#include "gapkit/common/result.hpp"

namespace gapkit::common {

/// Marks the process not dumpable (Linux `PR_SET_DUMPABLE` 0): no core dump is written, and
/// other processes of the same user can no longer attach to it or read its memory through
/// /proc/<pid>/mem. Services call it first thing in `main`, before they read a secret. Fails
/// (kInternal) only when the kernel refuses; elsewhere than Linux it does nothing and fails
/// (kFailedPrecondition).
Status ProtectProcessMemory();

/// Overwrites the bytes with zeros in a way the compiler may not drop, then empties the string.
/// For buffers that held a secret and are done with (the key's text once it is parsed).
void Wipe(std::string& secret);

/// Overwrites the bytes with zeros in a way the compiler may not drop.
void Wipe(std::span<std::uint8_t> secret);

}  // namespace gapkit::common
