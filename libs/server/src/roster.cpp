#include "roster.hpp"

#include <algorithm>

#include <fmt/core.h>

#include "edgegap_calls.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/protocol/server_facts.hpp"

namespace gapkit::server {

void Roster::Configure(const GameServerConfig& config, std::shared_ptr<BusLink> bus,
                       std::optional<ArbitriumEnvironment> env, Refuse refuse) {
    config_ = config;
    bus_ = std::move(bus);
    env_ = std::move(env);
    refuse_ = std::move(refuse);
    slots_.assign(static_cast<std::size_t>(config.max_clients), Slot{});
}

void Roster::Connect(int index, std::uint64_t client_id, const netcode::UserData& user_data) {
    const std::uint64_t serial = ++next_serial_;
    slots_[static_cast<std::size_t>(index)] = Slot{Slot::Stage::kPending, client_id, serial, {}, user_data};
    empty_since_seconds_.reset();
    if (!bus_) return Join(index, {});
    worker_.Post([this, bus = bus_, index, serial, client_id]() -> Worker::Completion {
        auto session = bus->Join(client_id);
        return [this, index, serial, client_id, session = std::move(session)] {
            OnJoinAnswer(index, serial, client_id, session);
        };
    });
}

void Roster::Disconnect(int index, std::uint64_t client_id, LeaveReason reason) {
    const Slot& slot = slots_[static_cast<std::size_t>(index)];
    if (slot.stage != Slot::Stage::kEmpty && slot.client_id == client_id) Leave(index, reason);
}

bool Roster::IsFree(int index) const { return slots_[static_cast<std::size_t>(index)].stage == Slot::Stage::kEmpty; }

bool Roster::IsJoined(int index) const {
    return index >= 0 && index < num_slots() && slots_[static_cast<std::size_t>(index)].stage == Slot::Stage::kJoined;
}

bool Roster::HoldsClient(std::uint64_t client_id) const {
    return std::any_of(slots_.begin(), slots_.end(),
                       [&](const Slot& s) { return s.stage != Slot::Stage::kEmpty && s.client_id == client_id; });
}

int Roster::FreeSlot() const {
    auto free =
        std::find_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.stage == Slot::Stage::kEmpty; });
    return free == slots_.end() ? -1 : static_cast<int>(free - slots_.begin());
}

int Roster::num_players() const {
    return static_cast<int>(
        std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.stage == Slot::Stage::kJoined; }));
}

void Roster::OnJoinAnswer(int index, std::uint64_t serial, std::uint64_t client_id,
                          const common::Result<std::string>& session) {
    Slot& slot = slots_[static_cast<std::size_t>(index)];
    if (slot.stage != Slot::Stage::kPending || slot.serial != serial) {
        if (session) PostLeft(*session, client_id);  // The client left while the matchmaker checked: undo.
        return;
    }
    if (session) return Join(index, *session);
    const std::string why = session.error().ToString();
    if (!config_.require_session) {
        GAPKIT_LOG_WARN("server", "client {} joins without a session ({})", slot.client_id, why);
        return Join(index, {});
    }
    GAPKIT_LOG_WARN("server", "disconnecting client {}: {}", slot.client_id, why);
    slot = Slot{};
    if (refuse_) refuse_(index, client_id);
}

void Roster::Join(int index, std::string session_id) {
    Slot& slot = slots_[static_cast<std::size_t>(index)];
    slot.stage = Slot::Stage::kJoined;
    slot.session_id = std::move(session_id);
    GAPKIT_LOG_INFO("server", "client {} joined (session '{}')", slot.client_id, slot.session_id);
    events_.push_back(ServerEvent{ServerEventType::kPlayerJoined,
                                  index,
                                  slot.client_id,
                                  slot.session_id,
                                  slot.user_data,
                                  LeaveReason::kClientDisconnected,
                                  {}});
}

void Roster::Leave(int index, LeaveReason reason) {
    Slot& slot = slots_[static_cast<std::size_t>(index)];
    if (slot.stage == Slot::Stage::kJoined) {
        GAPKIT_LOG_INFO("server", "client {} left: {}", slot.client_id, ToString(reason));
        events_.push_back(
            ServerEvent{ServerEventType::kPlayerLeft, index, slot.client_id, slot.session_id, {}, reason, {}});
        if (!slot.session_id.empty() && bus_) PostLeft(slot.session_id, slot.client_id);
    }
    slot = Slot{};
}

void Roster::PostLeft(std::string session_id, std::uint64_t client_id) {
    std::string what = fmt::format("left of session {}", session_id);
    facts_.Add(
        std::move(what),
        [bus = bus_, session_id = std::move(session_id), client_id] { return bus->Left(session_id, client_id); },
        kLeftRetryPolicy);
}

// A plain publish from the worker: a lost one is covered by the next, and the matchmaker waits 3
// intervals before it counts a player as gone. Players joined without a session (no bus, or a
// development server) have nothing for the matchmaker to keep.
void Roster::SendAliveIfDue(double now_seconds) {
    if (!bus_) return;
    if (!next_alive_seconds_) next_alive_seconds_ = now_seconds + config_.alive_interval_seconds;
    if (now_seconds < *next_alive_seconds_) return;
    next_alive_seconds_ = now_seconds + config_.alive_interval_seconds;
    std::vector<protocol::AliveEntry> joined;
    for (const Slot& slot : slots_) {
        if (slot.stage == Slot::Stage::kJoined && !slot.session_id.empty()) {
            joined.push_back({slot.session_id, slot.client_id});
        }
    }
    for (protocol::AliveFact& fact : protocol::ChunkAliveEntries(joined)) {
        worker_.Post([bus = bus_, fact = std::move(fact)]() -> Worker::Completion {
            if (auto sent = bus->PublishAlive(fact); !sent) {
                GAPKIT_LOG_WARN("server", "alive of {} player(s): {}", fact.sessions.size(), sent.error().ToString());
            }
            return {};
        });
    }
}

void Roster::CheckSelfStop(double now_seconds) {
    if (!env_ || config_.self_stop_after_empty_seconds <= 0 || self_stop_requested_) return;
    if (std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.stage != Slot::Stage::kEmpty; })) {
        return;
    }
    if (!empty_since_seconds_) empty_since_seconds_ = now_seconds;
    if (now_seconds - *empty_since_seconds_ < config_.self_stop_after_empty_seconds) return;
    self_stop_requested_ = true;
    GAPKIT_LOG_INFO("server", "no players for {} s: stopping the deployment", config_.self_stop_after_empty_seconds);
    events_.push_back(ServerEvent{ServerEventType::kSelfStopping});
    worker_.Post([endpoint = SelfStopEndpoint(*env_)] { return RequestSelfStop(endpoint); });
}

void Roster::Update(double now_seconds) {
    for (auto& completion : worker_.TakeCompletions()) completion();
    facts_.SendDue(now_seconds);
    SendAliveIfDue(now_seconds);
    CheckSelfStop(now_seconds);
}

bool Roster::Poll(ServerEvent& event) {
    if (events_.empty()) return false;
    event = std::move(events_.front());
    events_.pop_front();
    return true;
}

void Roster::Stop() {
    if (stopped_) return;
    stopped_ = true;
    for (int i = 0; i < num_slots(); ++i) Leave(i, LeaveReason::kServerStopped);
    facts_.Finish();
    // Late joins may still be recorded for clients now gone; their completions undo that.
    for (;;) {
        worker_.WaitIdle();
        auto completions = worker_.TakeCompletions();
        if (completions.empty()) break;
        for (auto& completion : completions) completion();
    }
    worker_.Join();
}

}  // namespace gapkit::server
