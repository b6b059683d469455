#include "bot.hpp"

#include <chrono>
#include <thread>
#include <vector>

#include <fmt/core.h>

#include "gapkit/netcode/private_key.hpp"
#include "steering.hpp"

namespace spaceships::bot {
namespace {

using gapkit::client::ClientEvent;
using gapkit::client::ClientEventType;
using gapkit::client::ClientState;

// Bots update at twice the tick rate, so input (sent every update) is never more than ~17 ms old.
constexpr auto kFramePeriod = std::chrono::milliseconds(1000 / (2 * kTickRateHz));

double NowSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

gapkit::common::Result<std::unique_ptr<Bot>> Bot::Create(int number, const BotOptions& options, std::ostream& out) {
    gapkit::client::GameClientConfig config;
    config.matchmaker_url = options.matchmaker_url;
    config.matchmaking_timeout_seconds = options.timeout_seconds;
    auto client = gapkit::client::GameClient::Create(config);
    if (!client) return gapkit::common::Fail(client.error());
    return std::unique_ptr<Bot>(new Bot(number, options, out, std::move(*client)));
}

Bot::Bot(int number, const BotOptions& options, std::ostream& out, std::unique_ptr<gapkit::client::GameClient> client)
    : number_(number), options_(options), out_(out), client_(std::move(client)) {}

void Bot::Say(std::string_view text) {
    if (!options_.quiet) out_ << fmt::format("bot {}: {}\n", number_, text) << std::flush;
}

void Bot::Start(double now_seconds) {
    started_seconds_ = now_seconds_ = now_seconds;
    gapkit::common::Status started;
    if (options_.direct.empty()) {
        Say(fmt::format("finding a {} {} server through {}", options_.game, options_.version,
                        client_->matchmaker_url()));
        started = client_->FindServer(options_.game, options_.version);
    } else {
        const bool dev_key = options_.private_key == gapkit::netcode::Key{};
        Say(fmt::format("connecting directly to {}{}", options_.direct, dev_key ? " with the dev key" : ""));
        started = client_->ConnectDirect(options_.direct, options_.protocol_id,
                                         dev_key ? gapkit::netcode::DevPrivateKey() : options_.private_key);
    }
    if (!started) Fail(started.error().message());
}

bool Bot::Update(double now_seconds) {
    if (finished_) return true;
    now_seconds_ = now_seconds;
    client_->Update(now_seconds);
    ClientEvent event;
    while (!finished_ && client_->Poll(event)) Handle(event, now_seconds);
    if (finished_) return true;
    if (connected_seconds_ < 0 && now_seconds - started_seconds_ > options_.timeout_seconds) {
        client_->Cancel();
        Fail(fmt::format("no server within {} s", options_.timeout_seconds));
    } else if (connected_seconds_ >= 0) {
        Play(now_seconds);
    }
    return finished_;
}

void Bot::Handle(const ClientEvent& event, double now_seconds) {
    switch (event.type) {
        case ClientEventType::kProgress:
            Say(event.text);
            return;
        case ClientEventType::kPayload:
            OnSnapshot(event.payload);
            return;
        case ClientEventType::kStateChanged:
            Say(fmt::format("{}{}{}", gapkit::client::ToString(event.state), event.text.empty() ? "" : ": ",
                            event.text));
            break;
    }
    if (event.state == ClientState::kConnected) {
        connected_seconds_ = now_seconds;
        report_.server_address = client_->server_address().ToString();
    } else if (event.state == ClientState::kFailed || event.state == ClientState::kDisconnected) {
        // We only disconnect in Play, which finishes first; anything else is a failure.
        const std::string_view reason = gapkit::client::PlayerText(client_->failure_reason());
        Fail(!event.text.empty() ? event.text : std::string(reason));
    }
}

void Bot::OnSnapshot(const std::vector<std::uint8_t>& payload) {
    auto snapshot = DecodeSnapshot(payload);
    if (!snapshot) {
        Say(fmt::format("ignored a bad snapshot: {}", snapshot.error().message()));
        return;
    }
    latest_ = std::move(*snapshot);
    ++report_.snapshots;
    if (const ShipView* me = latest_.FindShip(latest_.your_id)) {
        saw_own_ship_ = true;
        report_.score = me->score;
    }
}

void Bot::Play(double now_seconds) {
    report_.seconds_played = now_seconds - connected_seconds_;
    if (report_.seconds_played < options_.seconds) {
        (void)client_->SendPayload(EncodeInput(Steer(latest_)));  // a lost input is replaced next frame
        return;
    }
    client_->Disconnect();
    finished_ = true;
    report_.succeeded = saw_own_ship_;
    if (!saw_own_ship_) report_.failure = "never saw its own ship in a snapshot";
}

void Bot::Fail(std::string why) {
    if (connected_seconds_ >= 0) report_.seconds_played = now_seconds_ - connected_seconds_;
    finished_ = true;
    report_.succeeded = false;
    report_.failure = std::move(why);
}

void Bot::Abort(std::string_view why) {
    if (finished_) return;
    client_->Disconnect();
    Fail(std::string(why));
}

int RunBots(const BotOptions& options, const std::atomic<bool>& stop_requested, std::ostream& out, std::ostream& err) {
    std::vector<std::unique_ptr<Bot>> bots;
    for (int number = 1; number <= options.bots; ++number) {
        auto bot = Bot::Create(number, options, out);
        if (!bot) {
            err << "spaceships-bot: " << bot.error().message() << "\n";
            return 1;
        }
        bots.push_back(std::move(*bot));
        bots.back()->Start(NowSeconds());
    }
    for (bool all_done = false; !all_done;) {
        all_done = true;
        const double now = NowSeconds();
        for (auto& bot : bots) {
            if (stop_requested.load()) bot->Abort("interrupted");
            all_done = bot->Update(now) && all_done;
        }
        if (!all_done) std::this_thread::sleep_for(kFramePeriod);
    }
    int failures = 0;
    for (std::size_t i = 0; i < bots.size(); ++i) {
        const BotReport& r = bots[i]->report();
        out << fmt::format("bot {}: {} server {}, {} snapshots, score {}, played {:.1f} s\n", i + 1,
                           r.succeeded ? "ok" : "FAILED", r.server_address.empty() ? "-" : r.server_address,
                           r.snapshots, r.score, r.seconds_played);
        if (!r.succeeded) {
            ++failures;
            err << fmt::format("bot {}: {}\n", i + 1, r.failure);
        }
    }
    out << std::flush;
    return failures == 0 ? 0 : 1;
}

}  // namespace spaceships::bot
