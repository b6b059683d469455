#include "gapkit/edgegap/fake_api.hpp"

#include <algorithm>

#include <fmt/core.h>

namespace gapkit::edgegap {
namespace {

tl::unexpected<common::Error> NotFound(std::string_view what, std::string_view id) {
    return MakeError(ErrorCategory::kNotFound, 404, fmt::format("{} {} not found", what, id));
}

// One user per IP, as edgegap-sim keeps them: an IP already in the session is not added again.
void AddDistinct(Session& session, std::vector<std::string> ips) {
    for (auto& ip : ips) {
        if (std::find(session.user_ips.begin(), session.user_ips.end(), ip) == session.user_ips.end()) {
            session.user_ips.push_back(std::move(ip));
        }
    }
    session.user_count = static_cast<int>(session.user_ips.size());
}

SessionUsers UsersOf(const Session& session) {
    SessionUsers users;
    for (const auto& ip : session.user_ips) users.users.push_back({ip, 0.0, 0.0});
    return users;
}

StopResult Gone() { return StopResult{StopOutcome::kAlreadyGone, 404, "already gone"}; }

template <typename T>
Page<T> PageOf(std::vector<T> all, const ListOptions& options) {
    Page<T> page;
    page.total_count = static_cast<std::int64_t>(all.size());
    const std::size_t first = static_cast<std::size_t>(std::max(options.page - 1, 0) * std::max(options.limit, 0));
    for (std::size_t i = first; i < all.size() && page.items.size() < static_cast<std::size_t>(options.limit); ++i) {
        page.items.push_back(std::move(all[i]));
    }
    page.has_next = first + page.items.size() < all.size();
    return page;
}

}  // namespace

void FakeEdgegapApi::FailNext(std::string method, common::Error error, int times) {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < times; ++i) failures_[method].push_back(error);
}

void FakeEdgegapApi::SetReadyAfterPolls(int polls) {
    std::lock_guard lock(mutex_);
    ready_after_polls_ = polls;
}

void FakeEdgegapApi::SetSessionsOmitTheirDeployment(bool omit) {
    std::lock_guard lock(mutex_);
    sessions_omit_deployment_ = omit;
}

void FakeEdgegapApi::SetContext(Context context) {
    std::lock_guard lock(mutex_);
    context_ = std::move(context);
}

void FakeEdgegapApi::AddAppVersion(std::string app_name, AppVersion version) {
    std::lock_guard lock(mutex_);
    versions_[app_name + "/" + version.name] = std::move(version);
}

std::vector<FakeCall> FakeEdgegapApi::calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
}

std::vector<std::string> FakeEdgegapApi::live_session_ids() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& [id, fake] : sessions_) ids.push_back(id);
    return ids;
}

std::optional<common::Error> FakeEdgegapApi::Record(std::string_view method, std::string argument) {
    calls_.push_back({std::string(method), std::move(argument)});
    auto scripted = failures_.find(std::string(method));
    if (scripted == failures_.end() || scripted->second.empty()) return std::nullopt;
    common::Error error = std::move(scripted->second.front());
    scripted->second.pop_front();
    return error;
}

DeploymentStatus& FakeEdgegapApi::NewDeployment(const std::string& app_name) {
    const int n = next_id_++;
    DeploymentStatus status;
    status.request_id = fmt::format("{:012x}", n);
    status.fqdn = status.request_id + ".pr.edgegap.net";
    status.app_name = app_name;
    status.state = DeploymentState::kReady;
    status.current_status = "Status.READY";
    status.running = true;
    status.public_ip = "127.0.0.1";
    status.ports["gameport"] = PortMapping{"gameport", 30000 + n, 7777, "UDP", "", false};
    return deployments_[status.request_id] = std::move(status);
}

Session FakeEdgegapApi::SessionView(FakeSession& fake) {
    Session view = fake.session;
    if (fake.polls++ >= ready_after_polls_) {
        view.ready = view.linked = true;
        view.state = SessionState::kReady;
        view.status = "Ready";
        view.deployment = deployments_[view.deployment_request_id];
    }
    if (sessions_omit_deployment_) {
        view.deployment.reset();
        view.deployment_request_id.clear();
    }
    return view;
}

namespace {

// The calls as api.hpp declares them, over the state the base class keeps.
class Fake final : public FakeEdgegapApi {
  public:
    ApiTask<CreatedSession> CreateSession(SessionRequest request) override {
        std::lock_guard lock(mutex_);
        if (auto error = Record("CreateSession", request.app_name)) co_return common::Fail(*error);
        const DeploymentStatus& deployment = NewDeployment(request.app_name);
        Session session;
        session.session_id = fmt::format("{}-S", deployment.request_id);
        session.status = "Waiting";
        session.state = SessionState::kWaiting;
        session.kind = "Seat";
        session.kind_value = SessionKind::kSeat;
        AddDistinct(session, std::move(request.ip_list));
        session.deployment_request_id = deployment.request_id;
        sessions_[session.session_id] = FakeSession{session, 0};
        co_return CreatedSession{session.session_id, "", request.app_name, request.version_name.value_or(""),
                                 sessions_omit_deployment_ ? deployment.request_id : ""};
    }

    ApiTask<Session> GetSession(std::string session_id) override {
        std::lock_guard lock(mutex_);
        if (auto error = Record("GetSession", session_id)) co_return common::Fail(*error);
        auto found = sessions_.find(session_id);
        if (found == sessions_.end()) co_return NotFound("session", session_id);
        co_return SessionView(found->second);
    }

    ApiTask<StopResult> DeleteSession(std::string session_id) override {
        std::lock_guard lock(mutex_);
        if (auto error = Record("DeleteSession", session_id)) co_return common::Fail(*error);
        if (sessions_.erase(session_id) == 0) co_return Gone();
        co_return StopResult{StopOutcome::kStopped, 200, "deleted"};
    }

    ApiTask<Page<Session>> ListSessions(ListOptions options) override {
        std::lock_guard lock(mutex_);
        if (auto error = Record("ListSessions", "")) co_return common::Fail(*error);
        std::vector<Session> all;
        for (const auto& [id, fake] : sessions_) all.push_back(fake.session);
        co_return PageOf(std::move(all), options);
    }

    ApiTask<SessionUsers> GetSessionUsers(std::string session_id) override {
        std::lock_guard lock(mutex_);
        if (auto error = Record("GetSessionUsers", session_id)) co_return common::Fail(*error);
        auto found = sessions_.find(session_id);
        if (found == sessions_.end()) co_return NotFound("session", session_id);
        co_return UsersOf(found->second.session);
    }

    ApiTask<SessionUsers> AddSessionUsers(std::string session_id, std::vector<std::string> ips) override {
        std::lock_guard lock(mutex_);
        if (auto error = Record("AddSessionUsers", session_id)) co_return common::Fail(*error);
        auto found = sessions_.find(session_id);
        if (found == sessions_.end()) co_return NotFound("session", session_id);
        Session& session = found->second.session;
        AddDistinct(session, std::move(ips));
        co_return UsersOf(session);
    }

    ApiTask<SessionUsers> RemoveSessionUsers(std::string session_id, std::vector<std::string> ips) override {
        std::lock_guard lock(mutex_);
        if (auto error = Record("RemoveSessionUsers", session_id)) co_return common::Fail(*error);
        auto found = sessions_.find(session_id);
        if (found == sessions_.end()) co_return SessionUsers{{}, true};
        Session& session = found->second.session;
        std::erase_if(session.user_ips,
                      [&](const std::string& ip) { return std::find(ips.begin(), ips.end(), ip) != ips.end(); });
        session.user_count = static_cast<int>(session.user_ips.size());
        co_return UsersOf(session);
    }

    ApiTask<CreatedDeployment> Deploy(DeployRequest request) override {
        std::lock_guard lock(mutex_);
        if (auto error = Record("Deploy", request.app_name)) co_return common::Fail(*error);
        const DeploymentStatus& deployment = NewDeployment(request.app_name);
        co_return CreatedDeployment{deployment.request_id, deployment.fqdn, request.app_name,
                                    request.version_name.value_or(""), static_cast<int>(request.ip_list.size())};
    }

    ApiTask<DeploymentStatus> GetDeploymentStatus(std::string request_id) override {
        std::lock_guard lock(mutex_);
        if (auto error = Record("GetDeploymentStatus", request_id)) co_return common::Fail(*error);
        auto found = deployments_.find(request_id);
        if (found == deployments_.end()) co_return NotFound("deployment", request_id);
        co_return found->second;
    }

    ApiTask<StopResult> StopDeployment(std::string request_id) override {
        std::lock_guard lock(mutex_);
        if (auto error = Record("StopDeployment", request_id)) co_return common::Fail(*error);
        auto found = deployments_.find(request_id);
        if (found == deployments_.end() || found->second.state == DeploymentState::kTerminated) co_return Gone();
        found->second.state = DeploymentState::kTerminated;
        found->second.current_status = "Status.TERMINATED";
        found->second.running = false;
        co_return StopResult{StopOutcome::kStopped, 200, "stopping"};
    }

    ApiTask<Page<DeploymentStatus>> ListDeployments(ListOptions options) override {
        std::lock_guard lock(mutex_);
        if (auto error = Record("ListDeployments", "")) co_return common::Fail(*error);
        std::vector<DeploymentStatus> all;
        for (const auto& [id, status] : deployments_) {
            if (status.state != DeploymentState::kTerminated) all.push_back(status);
        }
        co_return PageOf(std::move(all), options);
    }

    ApiTask<Context> GetContext(ContainerEndpoint context) override {
        std::lock_guard lock(mutex_);
        if (auto error = Record("GetContext", context.url)) co_return common::Fail(*error);
        if (!context_) {
            Context fallback;
            fallback.request_id = "ctx000000001";
            fallback.state = DeploymentState::kReady;
            fallback.current_status = "Status.READY";
            fallback.running = true;
            fallback.public_ip = "127.0.0.1";
            context_ = fallback;
        }
        co_return *context_;
    }

    ApiTask<StopResult> SelfStop(ContainerEndpoint self_stop) override {
        std::lock_guard lock(mutex_);
        if (auto error = Record("SelfStop", self_stop.url)) co_return common::Fail(*error);
        co_return StopResult{StopOutcome::kStopped, 200, "stopping"};
    }

    ApiTask<AppVersion> CreateAppVersion(std::string app_name, AppVersionSpec spec) override {
        std::lock_guard lock(mutex_);
        const std::string key = app_name + "/" + spec.name;
        if (auto error = Record("CreateAppVersion", key)) co_return common::Fail(*error);
        if (versions_.contains(key)) {
            co_return MakeError(ErrorCategory::kConflict, 409, fmt::format("app version {} already exists", key));
        }
        co_return versions_[key] = std::move(spec);
    }

    ApiTask<AppVersion> GetAppVersion(std::string app_name, std::string version_name) override {
        std::lock_guard lock(mutex_);
        const std::string key = app_name + "/" + version_name;
        if (auto error = Record("GetAppVersion", key)) co_return common::Fail(*error);
        auto found = versions_.find(key);
        if (found == versions_.end()) co_return NotFound("app version", key);
        co_return found->second;
    }

    ApiTask<AppVersion> PatchAppVersion(std::string app_name, std::string version_name,
                                        AppVersionPatch patch) override {
        std::lock_guard lock(mutex_);
        const std::string key = app_name + "/" + version_name;
        if (auto error = Record("PatchAppVersion", key)) co_return common::Fail(*error);
        auto found = versions_.find(key);
        if (found == versions_.end()) co_return NotFound("app version", key);
        AppVersion& version = found->second;
        ApplyPatch(patch, version);
        co_return version;
    }
};

}  // namespace

std::unique_ptr<FakeEdgegapApi> FakeEdgegapApi::Create() { return std::make_unique<Fake>(); }

}  // namespace gapkit::edgegap
