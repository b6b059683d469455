#include "watch_command.hpp"

#include <iostream>
#include <memory>

#include <fmt/core.h>
#include <boost/json/serialize.hpp>

#include "gapkit/common/log.hpp"
#include "gapkit/service/program.hpp"
#include "gapkit/service/stop_signals.hpp"
#include "sources.hpp"

namespace gapkit::cli {
namespace {

// How often the loop looks at the signals and the deadline while the bus is quiet.
constexpr std::chrono::milliseconds kPollInterval{200};

common::Status Watch(const WatchOptions& options, service::StopSignals& signals) {
    auto connection = ConnectBus("watch");
    if (!connection) return common::Fail(connection.error());
    auto subscription = (*connection)->SubscribeSync(options.subject);
    if (!subscription) return common::Fail(subscription.error().WithContext(options.subject));
    // The server has the interest once Flush returns: what is published after this line is shown.
    if (auto flushed = (*connection)->Flush(); !flushed) return common::Fail(flushed.error());
    GAPKIT_LOG_INFO("gapctl", "watching '{}' on {}", options.subject, (*connection)->ConnectedUrl());

    const auto start = std::chrono::steady_clock::now();
    const auto limit = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(options.duration_seconds.value_or(0)));
    WatchCorrelator correlator;
    std::int64_t shown = 0;
    while (!signals.Requested()) {
        if (options.duration_seconds && std::chrono::steady_clock::now() - start >= limit) break;
        auto message = subscription->NextMessage(kPollInterval);
        if (!message) return common::Fail(message.error());
        if (!*message) continue;
        WatchEvent event = DecodeWatchMessage(**message, options.decode);
        correlator.Annotate(event);
        if (!Matches(event, options.filter)) continue;
        const auto now = std::chrono::system_clock::now();
        if (options.json) {
            std::cout << boost::json::serialize(WatchEventJson(event, now)) << '\n';
        } else {
            std::cout << FormatWatchLine(event, now) << '\n';
        }
        std::cout.flush();
        if (options.count && ++shown >= *options.count) break;
    }
    return common::Ok();
}

}  // namespace

void RegisterWatchCommand(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<WatchOptions>();
    CLI::App* command = app.add_subcommand("watch", "Show the live bus, one decoded line per message");
    command->add_option("subject", options->subject, "NATS subject to watch (wildcards allowed)")
        ->capture_default_str();
    command->add_option("--game", options->filter.game, "Only events of this game (app name)");
    command->add_option("--session", options->filter.session, "Only events of this Edgegap session id");
    command->add_option("--deployment", options->filter.deployment, "Only events of this deployment (request id)");
    command->add_flag("--all", options->filter.all, "Also show JetStream internals ($JS.*, _INBOX.*)");
    command->add_flag("--show-tokens", options->decode.show_tokens,
                      "Print connect tokens (default: their length; a token lets anyone join as its player)");
    command->add_flag("--json", options->json, "One JSON object per line instead of text");
    command->add_option("--count", options->count, "Stop after this many shown events")->check(CLI::PositiveNumber);
    command->add_option("--duration-seconds", options->duration_seconds, "Stop after this many seconds")
        ->check(CLI::PositiveNumber);
    command->footer(
        fmt::format("Runs until Ctrl-C (exit 0). Connects with the NATS_* environment (docs/bus.md); the read-only\n"
                    "'operator' user may watch everything. Filters match the decoded fields; replies carry their\n"
                    "request's game and session.\n"
                    "Example: NATS_USER=operator gapctl watch --game spaceships\n"
                    "         gapctl watch '$KV.active_connections.>' --json --count 10\n\n{}",
                    bus::kEnvironmentHelp));
    command->callback([options, &exit_code] {
        // Before the bus starts nats.c's threads, so they never take SIGINT/SIGTERM.
        service::StopSignals signals;
        const auto watched = Watch(*options, signals);
        (void)bus::CloseLibrary();
        if (!watched) {
            GAPKIT_LOG_ERROR("gapctl", "watch: {}", watched.error().ToString());
            exit_code = service::ToInt(service::ExitCode::kFailure);
            return;
        }
        exit_code = service::ToInt(service::ExitCode::kOk);
    });
}

}  // namespace gapkit::cli
