// spaceships-bot: headless spaceships players for tests and load runs. See docs/spaceships.md.
#include <atomic>
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "bot.hpp"
#include "gapkit/common/log.hpp"
#include "options.hpp"

namespace {

std::atomic<bool> g_stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"spaceships-bot: headless spaceships players (gapkit::client)"};
    spaceships::bot::BotOptions options;
    spaceships::bot::AddOptions(app, options);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? 0 : 2;  // --help is not bad usage
    }
    if (auto ok = spaceships::bot::Finish(options); !ok) {
        std::cerr << "spaceships-bot: " << ok.error().message() << "\n";
        return 2;
    }
    if (options.quiet) gapkit::common::SetLogLevel(gapkit::common::LogLevel::kWarn);
    std::signal(SIGTERM, [](int) { g_stop_requested.store(true); });
    std::signal(SIGINT, [](int) { g_stop_requested.store(true); });
    return spaceships::bot::RunBots(options, g_stop_requested, std::cout, std::cerr);
}
