#pragma once

/// @file
/// Small file helpers for secrets and certificates handed over as text.

#include <filesystem>
#include <string>
#include <string_view>

#include "gapkit/common/result.hpp"

namespace gapkit::common {

/// Writes `contents` to a new file readable only by this user (mode 0600) in the system's temp
/// folder and returns its path. `name_hint` becomes part of the file name after every character
/// other than [A-Za-z0-9_-] is replaced by '_'. The file is created with O_EXCL under a random
/// name, so a file planted by another user is never reused. The caller owns the file and may
/// remove it; it is otherwise left for the OS to clean.
Result<std::filesystem::path> WritePrivateTempFile(std::string_view name_hint, std::string_view contents);

/// Reads a whole file. A missing or unreadable file is an error naming the path.
Result<std::string> ReadFile(const std::filesystem::path& path);

/// Reads a secret from a file, dropping one trailing newline (as written by `echo`).
Result<std::string> ReadSecretFile(const std::filesystem::path& path);

}  // namespace gapkit::common
