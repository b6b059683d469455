#include "image_root.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "gapkit/common/env.hpp"

namespace gapkit::images {

using common::ErrorCode;
using common::MakeError;

namespace {

std::string Trimmed(std::string text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    return text;
}

// The podman command's trimmed stdout, or an error with its stderr.
common::Result<std::string> Podman(const std::vector<std::string>& args) {
    std::vector<std::string> argv{GAPKIT_PODMAN};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = testing::RunProcess(argv, {}, std::chrono::seconds(60));
    if (!result) return common::Fail(result.error());
    if (result->exit_code != 0) {
        return MakeError(ErrorCode::kInternal,
                         fmt::format("podman {} failed: {}", fmt::join(args, " "), Trimmed(result->stderr_text)));
    }
    return Trimmed(result->stdout_text);
}

// A bind mount is unmounted lazily when a program of the test still holds it: the folder is freed
// once the program ends, instead of failing the clean-up.
void Unmount(const std::filesystem::path& path) {
    auto result = testing::RunProcess({"umount", path.string()});
    if (!result || result->exit_code != 0) (void)testing::RunProcess({"umount", "--lazy", path.string()});
}

}  // namespace

std::string ImageName(const std::string& repository) {
    return fmt::format("localhost/{}:{}", repository, common::GetEnv("GAPKIT_IMAGE_TAG").value_or("local"));
}

testing::ProcessResult RunProgram(const std::vector<std::string>& argv) {
    auto result = testing::RunProcess(argv, {}, std::chrono::seconds(60));
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().ToString());
    if (!result) return {};
    EXPECT_FALSE(result->timed_out) << fmt::format("{} timed out", fmt::join(argv, " "));
    return *result;
}

common::Result<std::string> InspectImage(const std::string& image, const std::string& format) {
    return Podman({"image", "inspect", "--format", format, image});
}

common::Result<std::unique_ptr<ImageRoot>> ImageRoot::Mount(const std::string& image,
                                                            const std::filesystem::path& shared) {
    if (auto exists = Podman({"image", "exists", image}); !exists) {
        return MakeError(ErrorCode::kNotFound,
                         fmt::format("no image {}: build it with scripts/build-images.sh (or make images)", image));
    }
    auto container = Podman({"create", "--label", "gapkit.test=images", image});
    if (!container) return common::Fail(container.error());
    auto root = Podman({"mount", *container});
    if (!root) {
        (void)Podman({"rm", "--force", *container});
        return common::Fail(root.error());
    }
    std::unique_ptr<ImageRoot> image_root(new ImageRoot(*container, *root));
    if (auto ok = image_root->MountInside({"-t", "proc", "proc"}, "/proc"); !ok) return common::Fail(ok.error());
    if (!shared.empty()) {
        if (auto ok = image_root->MountInside({"--bind", shared.string()}, shared); !ok)
            return common::Fail(ok.error());
    }
    return image_root;
}

common::Status ImageRoot::MountInside(std::vector<std::string> args, const std::filesystem::path& inside) {
    const auto target = root_ / inside.relative_path();
    std::error_code ec;
    std::filesystem::create_directories(target, ec);
    if (ec) return MakeError(ErrorCode::kInternal, fmt::format("cannot create {}: {}", target.string(), ec.message()));
    args.insert(args.begin(), "mount");
    args.push_back(target.string());
    auto result = testing::RunProcess(args);
    if (!result || result->exit_code != 0) {
        return MakeError(ErrorCode::kInternal,
                         fmt::format("{} failed: {}", fmt::join(args, " "), result ? result->stderr_text : ""));
    }
    mounts_.push_back(target);
    return common::Ok();
}

ImageRoot::~ImageRoot() {
    for (auto mount = mounts_.rbegin(); mount != mounts_.rend(); ++mount) Unmount(*mount);
    if (!Podman({"umount", container_})) Unmount(root_);
    if (auto removed = Podman({"rm", "--force", container_}); !removed) {
        ADD_FAILURE() << "container " << container_ << " left behind: " << removed.error().ToString();
    }
}

std::vector<std::string> ImageRoot::Command(const std::string& program, const std::string& user) const {
    std::vector<std::string> command{GAPKIT_CHROOT};
    if (!user.empty()) command.push_back("--userspec=" + user);
    command.push_back(root_.string());
    command.push_back(program);
    return command;
}

}  // namespace gapkit::images
