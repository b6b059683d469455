// spaceships-server: the headless, authoritative spaceships server. See docs/spaceships.md.
#include <atomic>
#include <csignal>

#include <CLI/CLI.hpp>

#include "config.hpp"
#include "game_loop.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/common/secrets.hpp"

namespace {

std::atomic<bool> g_stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

}  // namespace

int main(int argc, char** argv) {
    // Before the key is read: no core dump or same-user process may see it.
    if (auto protected_memory = gapkit::common::ProtectProcessMemory(); !protected_memory) {
        GAPKIT_LOG_WARN("spaceships", "{}", protected_memory.error().ToString());
    }
    CLI::App app{"spaceships-server: the authoritative spaceships game server (gapkit::server)"};
    spaceships::server::ServerConfig config;
    spaceships::server::AddOptions(app, config);
    CLI11_PARSE(app, argc, argv);
    if (auto ok = spaceships::server::Finish(config); !ok) {
        GAPKIT_LOG_ERROR("spaceships", "bad configuration: {}", ok.error().ToString());
        return 2;
    }
    gapkit::common::SetLogLevel(gapkit::common::ParseLogLevel(config.log_level).value());
    std::signal(SIGTERM, [](int) { g_stop_requested.store(true); });
    std::signal(SIGINT, [](int) { g_stop_requested.store(true); });
    auto loop = spaceships::server::GameLoop::Start(config, argc, argv);
    if (!loop) {
        GAPKIT_LOG_ERROR("spaceships", "{}", loop.error().ToString());
        return 1;
    }
    (*loop)->Run(g_stop_requested);
    GAPKIT_LOG_INFO("spaceships", "stopped after {} ticks", (*loop)->stats().ticks);
    return 0;
}
