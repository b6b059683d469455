#include "gapkit/common/files.hpp"

#include <fcntl.h>
#ifdef _WIN32
#include <io.h>
#include <sys/stat.h>
#else
#include <unistd.h>
#endif

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include <fmt/core.h>

namespace gapkit::common {
namespace {

std::string Sanitize(std::string_view hint) {
    std::string name;
    for (char c : hint) {
        const bool keep =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        name += keep ? c : '_';
    }
    return name.empty() ? "gapkit" : name;
}

// O_EXCL with 0600: the file is ours and private from its first byte; another user cannot plant it
// (or a link) at the name beforehand, and nobody else can read the secret. On Windows the file gets
// the ACL of the user's own temp folder, which only that user can open; _wopen takes the path's
// native wide characters.
int CreateExclusive(const std::filesystem::path& path) {
#ifdef _WIN32
    return ::_wopen(path.c_str(), _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY | _O_NOINHERIT, _S_IREAD | _S_IWRITE);
#else
    return ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
#endif
}

Status WriteAll(int fd, std::string_view contents, const std::filesystem::path& path) {
    while (!contents.empty()) {
        const ssize_t written = ::write(fd, contents.data(), contents.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return MakeError(ErrorCode::kIo, fmt::format("writing {}: {}", path.string(), std::strerror(errno)));
        }
        contents.remove_prefix(static_cast<std::size_t>(written));
    }
    return Ok();
}

}  // namespace

Result<std::filesystem::path> WritePrivateTempFile(std::string_view name_hint, std::string_view contents) {
    std::error_code ec;
    const auto dir = std::filesystem::temp_directory_path(ec);
    if (ec) return MakeError(ErrorCode::kIo, "no temp folder: " + ec.message());
    std::random_device random;
    for (int attempt = 0; attempt < 16; ++attempt) {
        const auto path = dir / fmt::format("{}-{:08x}.pem", Sanitize(name_hint), random());
        const int fd = CreateExclusive(path);
        if (fd < 0 && errno == EEXIST) continue;
        if (fd < 0)
            return MakeError(ErrorCode::kIo, fmt::format("creating {}: {}", path.string(), std::strerror(errno)));
        Status written = WriteAll(fd, contents, path);
        ::close(fd);
        if (!written) return Fail(written.error());
        return path;
    }
    return MakeError(ErrorCode::kIo, "could not create a unique temp file in " + dir.string());
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return MakeError(ErrorCode::kNotFound, fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return MakeError(ErrorCode::kIo, fmt::format("error reading {}", path.string()));
    return text.str();
}

Result<std::string> ReadSecretFile(const std::filesystem::path& path) {
    auto text = ReadFile(path);
    // One trailing newline (`echo secret > file`, maybe CRLF) is not part of the secret.
    if (text && !text->empty() && text->back() == '\n') text->pop_back();
    if (text && !text->empty() && text->back() == '\r') text->pop_back();
    return text;
}

}  // namespace gapkit::common
