// The images scripts/build-images.sh builds from deploy/docker/Dockerfile, run from their
// filesystems (image_root.hpp): each image's program and user, then the services and the game
// server of the images on the local stack with a bot game (docs/deploy.md section 10).

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "gapkit/common/files.hpp"
#include "gapkit/testing/scoped_env.hpp"
#include "gapkit/testing/temp_dir.hpp"
#include "gapkit/testing/wait.hpp"
#include "image_root.hpp"
#include "local_stack.hpp"

namespace gapkit::images {
namespace {

constexpr const char* kImageUser = "10001:10001";

struct ImageProgram {
    std::string repository;  ///< The image, localhost/<repository>:<tag>.
    std::string program;     ///< Its ENTRYPOINT, an absolute path inside the image.
};

const std::vector<ImageProgram> kImages{
    {"spaceships-server", "/usr/local/bin/spaceships-server"},
    {"gapkit-matchmaker", "/usr/local/bin/gapkit-matchmaker"},
    {"gapkit-httpd", "/usr/local/bin/gapkit-httpd"},
};

void PrintTo(const ImageProgram& image, std::ostream* out) { *out << image.repository; }

class ImageContents : public ::testing::TestWithParam<ImageProgram> {};

TEST_P(ImageContents, RunsItsProgramAsUser10001WithEveryLibraryFromTheImage) {
    const auto& [repository, program] = GetParam();
    const auto image = ImageName(repository);
    auto root = ImageRoot::Mount(image);
    ASSERT_TRUE(root) << root.error().ToString();
    EXPECT_EQ(InspectImage(image, "{{.Config.User}}").value_or(""), kImageUser);
    EXPECT_EQ(InspectImage(image, "{{json .Config.Entrypoint}}").value_or(""), fmt::format("[\"{}\"]", program));
    EXPECT_EQ(InspectImage(image, R"({{index .Config.Labels "org.opencontainers.image.title"}})").value_or(""),
              repository);

    auto ldd = RunProgram({GAPKIT_CHROOT, (*root)->root().string(), "/usr/bin/ldd", program});
    EXPECT_EQ(ldd.exit_code, 0) << ldd.stderr_text;
    EXPECT_EQ(ldd.stdout_text.find("not found"), std::string::npos) << ldd.stdout_text;

    auto argv = (*root)->Command(program, kImageUser);
    argv.push_back("--help");
    auto help = RunProgram(argv);
    EXPECT_EQ(help.exit_code, 0) << help.stdout_text << help.stderr_text;
    EXPECT_NE(help.stdout_text.find("Usage"), std::string::npos) << help.stdout_text;
}

INSTANTIATE_TEST_SUITE_P(Images, ImageContents, ::testing::ValuesIn(kImages), [](const auto& info) {
    return info.param.repository.substr(info.param.repository.find('-') + 1);
});

// How many deployment logs of the stack hold `text`.
int DeploymentLogsWith(const chaos::LocalStack& stack, const std::string& text) {
    int count = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(stack.dir() / "logs/deployments", ec)) {
        auto log = common::ReadFile(entry.path());
        if (log && log->find(text) != std::string::npos) ++count;
    }
    return count;
}

// How many processes of this machine run the program file `executable` (/proc/<pid>/exe).
int ProcessesRunning(const std::filesystem::path& executable) {
    int count = 0;
    std::error_code ec;
    for (const auto& process : std::filesystem::directory_iterator("/proc", ec)) {
        std::error_code link_ec;
        if (std::filesystem::read_symlink(process.path() / "exe", link_ec) == executable) ++count;
    }
    return count;
}

// The end of every log under `dir`, for a failed test.
void PrintLogs(const std::filesystem::path& dir) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
        if (entry.path().extension() != ".log") continue;
        const auto log = common::ReadFile(entry.path()).value_or("");
        std::printf("== %s\n%s\n", entry.path().c_str(), log.substr(log.size() > 3000 ? log.size() - 3000 : 0).c_str());
    }
}

// The images' programs run as root inside their filesystems: the stack's certificates live in
// 0700 folders of the test (the --help runs above use the image's user).
TEST(ImageStack, ServicesAndGameServerFromTheImagesServeABotGame) {
    // Every folder the stack makes (certificates, the simulator's config, logs) is under `shared`,
    // mounted into each image at the same path, so the paths in the programs' environment hold.
    auto shared = testing::TempDir::Create("gapkit-images");
    ASSERT_TRUE(shared) << shared.error().ToString();
    testing::ScopedEnv tmpdir({{"TMPDIR", shared->path().string()}});
    // Declared before the stack, so the stack's programs stop before their filesystems go.
    std::map<std::string, std::unique_ptr<ImageRoot>> roots;
    chaos::StackOptions options{.bin_dir = GAPKIT_IMAGES_BIN_DIR, .source_dir = GAPKIT_SOURCE_DIR};
    for (const auto& [repository, program] : kImages) {
        auto root = ImageRoot::Mount(ImageName(repository), shared->path());
        ASSERT_TRUE(root) << root.error().ToString();
        options.commands[program.substr(program.rfind('/') + 1)] = (*root)->Command(program);
        roots[repository] = std::move(*root);
    }

    // Start waits until httpd's /readyz answers 200 and the matchmaker logs that it serves.
    auto stack = chaos::LocalStack::Start(std::move(options));
    ASSERT_TRUE(stack) << stack.error().ToString();

    auto bot = RunProgram({(*stack)->Program("spaceships-bot").string(), "--matchmaker", (*stack)->MatchmakerUrl(),
                           "--seconds", "2", "--timeout-seconds", "60", "--quiet"});
    EXPECT_EQ(bot.exit_code, 0) << bot.stdout_text << bot.stderr_text;
    EXPECT_EQ(DeploymentLogsWith(**stack, "player joined"), 1) << "see " << (*stack)->dir() / "logs/deployments";
    // The game server lives on until its empty TTL: each program runs from its image's file.
    for (const auto& [repository, program] : kImages) {
        EXPECT_EQ(ProcessesRunning(roots[repository]->root() / program.substr(1)), 1) << repository;
    }
    const bool deleted = testing::WaitFor(
        [&] {
            auto state = (*stack)->sim().State();
            return state && state->sessions == 0;
        },
        std::chrono::seconds(30));
    EXPECT_TRUE(deleted) << "the bot's session is still in the simulator after it left";
    if (HasFailure()) PrintLogs((*stack)->dir() / "logs");
}

}  // namespace
}  // namespace gapkit::images
