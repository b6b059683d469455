#include "gapkit/service/program.hpp"

#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gapkit/common/log.hpp"

namespace gapkit::service {
namespace {

// Runs ParseCommandLine on `args` (argv[0] added) against an app with one option and --log-level.
struct Parsed {
    std::optional<int> exit;
    int port = 3000;
    std::string log_level = "info";
};

Parsed Parse(std::vector<std::string> args) {
    Parsed parsed;
    CLI::App app{"test program", "gapkit-test"};
    AddOption(app, "--port", parsed.port, "GAPKIT_SERVICE_TEST_PORT", "Port")->check(CLI::Range(0, 65535));
    AddLogLevelOption(app, parsed.log_level);
    args.insert(args.begin(), "gapkit-test");
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    parsed.exit = ParseCommandLine(app, static_cast<int>(argv.size()), argv.data());
    return parsed;
}

TEST(ServiceProgram, GoodCommandLineGoesOn) {
    const Parsed parsed = Parse({"--port", "4000", "--log-level", "debug"});
    EXPECT_FALSE(parsed.exit.has_value());
    EXPECT_EQ(parsed.port, 4000);
    EXPECT_EQ(parsed.log_level, "debug");
}

TEST(ServiceProgram, HelpExitsWithOk) { EXPECT_EQ(Parse({"--help"}).exit, ToInt(ExitCode::kOk)); }

TEST(ServiceProgram, EveryUsageErrorIsExitCodeTwo) {
    EXPECT_EQ(Parse({"--port", "70000"}).exit, 2);
    EXPECT_EQ(Parse({"--port", "many"}).exit, 2);
    EXPECT_EQ(Parse({"--no-such-flag"}).exit, 2);
    EXPECT_EQ(Parse({"--log-level", "loud"}).exit, 2);
}

TEST(ServiceProgram, EnvironmentFillsAnOptionTheCommandLineLeavesOut) {
    ::setenv("GAPKIT_SERVICE_TEST_PORT", "5000", 1);
    EXPECT_EQ(Parse({}).port, 5000);
    EXPECT_EQ(Parse({"--port", "6000"}).port, 6000);
    ::setenv("GAPKIT_SERVICE_TEST_PORT", "-1", 1);
    EXPECT_EQ(Parse({}).exit, 2);
    ::unsetenv("GAPKIT_SERVICE_TEST_PORT");
}

TEST(ServiceProgram, HelpShowsEnvNameAndDefault) {
    int port = 3000;
    CLI::App app{"test program", "gapkit-test"};
    AddOption(app, "--port", port, "GAPKIT_SERVICE_TEST_PORT", "Port");
    const std::string help = app.help();
    EXPECT_NE(help.find("GAPKIT_SERVICE_TEST_PORT"), std::string::npos) << help;
    EXPECT_NE(help.find("3000"), std::string::npos) << help;
}

TEST(ServiceProgram, UsageErrorIsExitCodeTwo) {
    EXPECT_EQ(UsageError({"gapkit-test", "test"}, common::Error(common::ErrorCode::kInvalidArgument, "bad")), 2);
}

TEST(ServiceProgram, ApplyLogLevelSetsTheProcessLevel) {
    const common::LogLevel before = common::GetLogLevel();
    ApplyLogLevel("trace");
    EXPECT_EQ(common::GetLogLevel(), common::LogLevel::kTrace);
    common::SetLogLevel(before);
}

}  // namespace
}  // namespace gapkit::service
