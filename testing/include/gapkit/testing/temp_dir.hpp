#pragma once

/// @file
/// A private temporary folder removed with everything in it when the owner goes away.

#include <filesystem>
#include <string_view>

#include "gapkit/common/result.hpp"

namespace gapkit::testing {

/// A folder created with mode 0700 under the system temp folder. Movable, not copyable.
class TempDir {
  public:
    /// Creates `<tmp>/<prefix>-XXXXXX`.
    static common::Result<TempDir> Create(std::string_view prefix);

    TempDir(TempDir&& other) noexcept;
    TempDir& operator=(TempDir&& other) noexcept;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    /// Removes the folder and its contents (errors are ignored).
    ~TempDir();

    const std::filesystem::path& path() const { return path_; }

  private:
    explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
    std::filesystem::path path_;  ///< Empty once moved from.
};

}  // namespace gapkit::testing
