#pragma once

/// @file
/// `Readiness`: the wait for one Edgegap session to become ready, run once per session however
/// many players share it (docs/matchmaker.md, "The lifecycle of a request"). Without a webhook URL
/// the session is polled, at once and then with back-off; with one, the wait is for the session
/// webhook, and a poll follows only after 5 s without news. A webhook saying "ready" on the
/// deployment the POST answer named is used as it is (no session read); any other readiness, and
/// any failure, is checked with `GET /v1/session` first.
///
/// Threads: the wait runs on its own strand (`Start`); `Join` and `Result` may be called from any
/// thread. A player's status callback runs on the wait's strand (or in `Join` for the latest
/// status), so it must be thread-safe.
/// Ownership: shared by the players' requests and the running wait; `RequestContext` must outlive
/// it.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "failure.hpp"
#include "gapkit/common/clock.hpp"
#include "gapkit/edgegap/types.hpp"
#include "waiters.hpp"

namespace gapkit::matchmaker {

struct RequestContext;

class Readiness : public std::enable_shared_from_this<Readiness> {
  public:
    /// Told of each new Edgegap status text of the session, e.g. "Waiting" or "Ready".
    using StatusHandler = std::function<void(const std::string& status)>;

    /// `created` is the POST answer; `created_at` when it came (the readiness timeout runs from
    /// there).
    Readiness(RequestContext& context, edgegap::CreatedSession created, common::Clock::SteadyTime created_at);

    /// Starts the wait on `strand`. Call once.
    void Start(boost::asio::any_io_executor strand);

    /// Adds a player: `on_status` hears every status change from now on, and `waiter` is woken
    /// when the result is known (at once if it already is).
    void Join(StatusHandler on_status, std::shared_ptr<Waiter> waiter);

    /// The ready deployment or the failure, once the wait ended.
    std::optional<Step<edgegap::DeploymentStatus>> Result() const;

    const std::string& session_id() const { return created_.session_id; }

  private:
    struct Member {
        StatusHandler on_status;
        std::shared_ptr<Waiter> waiter;
    };
    using Outcome = std::optional<Step<edgegap::DeploymentStatus>>;

    boost::asio::awaitable<void> Run();
    boost::asio::awaitable<Step<edgegap::DeploymentStatus>> WaitUntilReady(Waiter& waiter);
    boost::asio::awaitable<Outcome> Poll();
    boost::asio::awaitable<Outcome> Heard(const edgegap::Session& news);
    boost::asio::awaitable<Outcome> Consider(const edgegap::Session& session);
    boost::asio::awaitable<Step<edgegap::DeploymentStatus>> ReadyDeployment(const edgegap::Session& session);
    void Report(const std::string& status);
    void Finish(Step<edgegap::DeploymentStatus> result);

    RequestContext& ctx_;
    const edgegap::CreatedSession created_;
    const common::Clock::SteadyTime created_at_;

    mutable std::mutex mutex_;
    std::vector<Member> members_;  // Guarded by mutex_.
    std::string status_;           // The last status reported. Guarded by mutex_.
    Outcome result_;               // Guarded by mutex_.
};

}  // namespace gapkit::matchmaker
