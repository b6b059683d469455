#pragma once

/// @file
/// `FakeEdgegapApi`: an in-memory `EdgegapApi` for unit tests of code that uses the client (the
/// matchmaker, gapctl). No sockets, no time: every call completes at once.
///
/// It keeps a small world: `CreateSession` creates a session on a new ready deployment (public IP
/// 127.0.0.1, one UDP port "gameport" with external port 30000 + n); a session reports `ready`
/// once it has been read `SetReadyAfterPolls(n)` times; deletes and stops report
/// `kAlreadyGone` the second time. A session's users are the distinct IPs of its `ip_list`; the
/// users calls add and remove IPs without any socket limit (`RemoveSessionUsers` on an unknown
/// session gives `session_gone`). Any call can be made to fail with `FailNext`. Every call is
/// recorded for assertions.
///
/// The calls are the ones `EdgegapApi` declares (api.hpp), implemented in fake_api.cpp; this
/// header adds how to make a fake, script it and inspect it:
///
///     auto fake = FakeEdgegapApi::Create();
///     fake->FailNext("CreateSession", NewError({ErrorCategory::kRateLimited, 429, std::nullopt}, "slow"));
///     Service service(..., *fake);
///
/// Threads: thread-safe (one mutex); calls complete without suspending.

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/api.hpp"

namespace gapkit::edgegap {

/// One call the fake received.
struct FakeCall {
    std::string method;    ///< The `EdgegapApi` method name, e.g. "CreateSession".
    std::string argument;  ///< The id, app name or URL it was called with ("" when none).
};

class FakeEdgegapApi : public EdgegapApi {
  public:
    /// A fake with no sessions, deployments or app versions, and no scripted failures.
    static std::unique_ptr<FakeEdgegapApi> Create();

    /// The next `times` calls of `method` (an `EdgegapApi` method name) fail with `error` (made
    /// with `edgegap::NewError`, so that `Details` reads what the test meant).
    void FailNext(std::string method, common::Error error, int times = 1);
    /// Sessions report ready from their `polls`-th `GetSession` on (default 0: at once).
    void SetReadyAfterPolls(int polls);
    /// On: the `CreateSession` answer names the deployment (`deployment_request_id`, as Edgegap's
    /// POST answer may) and sessions report neither their deployment nor its request id, so only
    /// `GetDeploymentStatus` with the POST's id finds the server. Default off.
    void SetSessionsOmitTheirDeployment(bool omit);
    /// What `GetContext` answers (default: a ready deployment "ctx000000001").
    void SetContext(Context context);
    /// Adds or replaces an app version served by `GetAppVersion`/`PatchAppVersion`. Versions made
    /// with `CreateAppVersion` need no app (the fake keeps no apps); a second one is a 409.
    void AddAppVersion(std::string app_name, AppVersion version);

    /// Every call so far, oldest first.
    std::vector<FakeCall> calls() const;
    /// Sessions that exist now (created and not deleted).
    std::vector<std::string> live_session_ids() const;

  protected:
    // What the calls (fake_api.cpp) work on; only Create makes the concrete fake.
    FakeEdgegapApi() = default;

    struct FakeSession {
        Session session;
        int polls = 0;
    };

    // Records the call and returns the scripted failure for it, if any. REQUIRES: mutex_ held.
    std::optional<common::Error> Record(std::string_view method, std::string argument);
    // REQUIRES: mutex_ held.
    DeploymentStatus& NewDeployment(const std::string& app_name);
    // REQUIRES: mutex_ held.
    Session SessionView(FakeSession& fake);

    mutable std::mutex mutex_;
    // Guarded by mutex_.
    std::vector<FakeCall> calls_;
    std::map<std::string, std::deque<common::Error>> failures_;
    std::map<std::string, FakeSession> sessions_;
    std::map<std::string, DeploymentStatus> deployments_;
    std::map<std::string, AppVersion> versions_;  // Keyed "app/version".
    std::optional<Context> context_;
    int ready_after_polls_ = 0;
    bool sessions_omit_deployment_ = false;
    int next_id_ = 1;
};

}  // namespace gapkit::edgegap
