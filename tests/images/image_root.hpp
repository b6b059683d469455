#pragma once

/// @file
/// An image's filesystem, to run its programs as its container would, on a machine whose container
/// runtime is refused (`podman run`: "crun: setrlimit RLIMIT_NPROC: Operation not permitted"):
/// `podman create` makes a container of the image without starting it, `podman mount` gives its
/// root folder, and `chroot <root> <program>` runs a program of the image with the image's own
/// libraries. Network, processes and users are this machine's (no namespaces): loopback addresses
/// reach the test's nats-server and simulator. Needs root.
///
/// Threads: one thread owns an `ImageRoot`; the commands it returns may run anywhere.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gapkit/common/result.hpp"
#include "gapkit/testing/process.hpp"

namespace gapkit::images {

/// The image scripts/build-images.sh builds from a Dockerfile target's image name:
/// `localhost/<repository>:<GAPKIT_IMAGE_TAG, default local>`.
std::string ImageName(const std::string& repository);

/// Runs `argv` (argv[0] found on PATH) for at most 60 s; a program that cannot start or times out
/// fails the calling test and gives an exit code of -1.
testing::ProcessResult RunProgram(const std::vector<std::string>& argv);

/// `podman image inspect --format <format> <image>`, trimmed (Go template, e.g. `{{.Config.User}}`).
common::Result<std::string> InspectImage(const std::string& image, const std::string& format);

class ImageRoot {
  public:
    /// A container of `image`, created but not started, with its filesystem mounted and a `/proc`
    /// in it, as a container runtime gives (programs find themselves through /proc/self/exe).
    /// `shared`, when given (an absolute folder of this machine), is bind-mounted at the same path
    /// inside, as a volume would be, so paths in the environment of its programs are the same.
    static common::Result<std::unique_ptr<ImageRoot>> Mount(const std::string& image,
                                                            const std::filesystem::path& shared = {});
    /// Unmounts `shared`, `/proc` and the container's filesystem and removes the container, even
    /// while a program still runs there (lazy unmount then).
    ~ImageRoot();
    ImageRoot(const ImageRoot&) = delete;
    ImageRoot& operator=(const ImageRoot&) = delete;

    const std::filesystem::path& root() const { return root_; }

    /// The command that runs `program` (an absolute path inside the image) from the image's root,
    /// as `user` ("uid:gid") when given, else as root.
    std::vector<std::string> Command(const std::string& program, const std::string& user = "") const;

  private:
    ImageRoot(std::string container, std::filesystem::path root)
        : container_(std::move(container)), root_(std::move(root)) {}
    /// Runs `mount <args...> <root_/inside>`, creating the folder, and remembers it for unmounting.
    common::Status MountInside(std::vector<std::string> args, const std::filesystem::path& inside);

    const std::string container_;
    const std::filesystem::path root_;
    std::vector<std::filesystem::path> mounts_;  ///< Inside `root_`, in mount order.
};

}  // namespace gapkit::images
