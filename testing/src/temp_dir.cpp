#include "gapkit/testing/temp_dir.hpp"

#include <stdlib.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

namespace gapkit::testing {

common::Result<TempDir> TempDir::Create(std::string_view prefix) {
    std::error_code ec;
    const auto base = std::filesystem::temp_directory_path(ec);
    if (ec) return common::MakeError(common::ErrorCode::kIo, "no temp folder: " + ec.message());
    std::string pattern = (base / fmt::format("{}-XXXXXX", prefix)).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        return common::MakeError(common::ErrorCode::kIo,
                                 fmt::format("cannot create {}: {}", pattern, std::strerror(errno)));
    }
    return TempDir(std::filesystem::path(pattern));
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
    if (this != &other) {
        std::error_code ec;
        if (!path_.empty()) std::filesystem::remove_all(path_, ec);
        path_ = std::exchange(other.path_, {});
    }
    return *this;
}

TempDir::~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

}  // namespace gapkit::testing
