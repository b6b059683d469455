#pragma once

// Who plays on this server as the matchmaker sees it, whatever carries their packets: a slot is
// pending from connection until the matchmaker answers its `join`, then joined until it leaves.
// The roster asks the joins, states `left` (retried, PendingFacts), the periodic `alive`, and
// stops the empty deployment. GameServer fills it from netcode's slots, SessionGate from the
// connections the game reports.
//
// Threads: game thread only. Bus and HTTP calls run on the roster's worker; their answers are
// applied inside `Update`, the only place `Refuse` is called from.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bus_link.hpp"
#include "gapkit/server/config.hpp"
#include "gapkit/server/environment.hpp"
#include "gapkit/server/events.hpp"
#include "pending_facts.hpp"
#include "worker.hpp"

namespace gapkit::server {

class Roster {
  public:
    // Called when the matchmaker refused (or did not answer) a pending slot's join and the config
    // requires a session: the transport drops the connection. The slot is already free.
    using Refuse = std::function<void(int index, std::uint64_t client_id)>;

    Roster() = default;
    Roster(const Roster&) = delete;
    Roster& operator=(const Roster&) = delete;

    // Before any other call. `bus` may be null (every client joins without a session); `env`
    // unset (local mode) disables self-stop.
    void Configure(const GameServerConfig& config, std::shared_ptr<BusLink> bus,
                   std::optional<ArbitriumEnvironment> env, Refuse refuse);

    // A client took slot `index` (free until now): pending, its join is asked on the worker.
    void Connect(int index, std::uint64_t client_id, const netcode::UserData& user_data);
    // Slot `index`'s connection of `client_id` ended: `kPlayerLeft` and `left` if it had joined.
    // Ignored when the slot holds another client (or none): e.g. the library already refused it.
    void Disconnect(int index, std::uint64_t client_id, LeaveReason reason);

    bool IsFree(int index) const;
    bool IsJoined(int index) const;
    bool HoldsClient(std::uint64_t client_id) const;
    int FreeSlot() const;  // -1 when full.
    int num_players() const;
    int num_slots() const { return static_cast<int>(slots_.size()); }

    // Applies the worker's answers, sends due facts and `alive`, and checks the empty timeout.
    void Update(double now_seconds);

    void PushEvent(ServerEvent event) { events_.push_back(std::move(event)); }
    bool Poll(ServerEvent& event);

    // Every remaining player leaves (`kServerStopped`), their `left` is sent once more, the worker
    // is drained and joined.
    void Stop();

    Worker& worker() { return worker_; }
    PendingFacts& facts() { return facts_; }

  private:
    struct Slot {
        enum class Stage { kEmpty, kPending, kJoined };
        Stage stage = Stage::kEmpty;
        std::uint64_t client_id = 0;
        std::uint64_t serial = 0;  // Tells a slot's connections apart when a lookup answers late.
        std::string session_id;
        netcode::UserData user_data{};
    };

    void OnJoinAnswer(int index, std::uint64_t serial, std::uint64_t client_id,
                      const common::Result<std::string>& session);
    void Join(int index, std::string session_id);
    void Leave(int index, LeaveReason reason);
    void PostLeft(std::string session_id, std::uint64_t client_id);
    void SendAliveIfDue(double now_seconds);
    void CheckSelfStop(double now_seconds);

    GameServerConfig config_;
    std::shared_ptr<BusLink> bus_;  // Null without a bus. Shared with queued jobs.
    std::optional<ArbitriumEnvironment> env_;
    Refuse refuse_;
    std::vector<Slot> slots_;
    std::deque<ServerEvent> events_;
    std::uint64_t next_serial_ = 0;
    std::optional<double> empty_since_seconds_;
    std::optional<double> next_alive_seconds_;
    bool self_stop_requested_ = false;
    bool stopped_ = false;
    PendingFacts facts_{worker_};  // Uses the worker only after construction.
    // Declared last, so it is joined before the members its jobs' completions refer to go away.
    Worker worker_;
};

}  // namespace gapkit::server
