// Sessions: seat accounting, linking to a deployment or auto-deploying one, status changes.
#include <random>

#include <fmt/core.h>

#include "gapkit/common/log.hpp"
#include "json_views.hpp"
#include "world.hpp"

namespace gapkit::edgegap_sim {
namespace {

std::string NewSessionId() {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    return fmt::format("{:012x}-S", random() & 0xffffffffffffULL);
}

bool Joinable(const Deployment& d) {
    return d.state == DeploymentState::kSeeking || d.state == DeploymentState::kDeploying ||
           d.state == DeploymentState::kReady;
}

}  // namespace

OrRefusal<Deployment*> World::PickDeployment(const Session& session, const std::string& wanted_id, bool autodeploy) {
    if (!wanted_id.empty()) {
        Deployment* wanted = MutableDeployment(wanted_id);
        if (wanted == nullptr || !Joinable(*wanted)) return Refuse(400, "Deployment not found or not joinable");
        if (wanted->sockets - SocketsUsed(*wanted) < session.seats) return Refuse(400, "Not enough free sockets");
        return wanted;
    }
    for (auto& [id, deployment] : deployments_) {
        const bool same_version = deployment.app == session.app && deployment.version == session.version;
        if (same_version && Joinable(deployment) && !deployment.stop_requested &&
            deployment.sockets - SocketsUsed(deployment) >= session.seats) {
            return &deployment;
        }
    }
    if (!autodeploy) return nullptr;
    auto version = MutableVersion(session.app, session.version);
    if (!version) return tl::unexpected(version.error());
    DeployRequest request{session.app, session.version, session.ips, {}, {}, {}};
    return CreateDeployment(**version, request);
}

OrRefusal<const Session*> World::CreateSession(const SessionRequest& request) {
    auto version = MutableVersion(request.app, request.version);
    if (!version) return tl::unexpected(version.error());
    const SessionConfig& config = (*version)->session;
    if (config.kind == SessionKind::kDefault) {
        return Refuse(400, fmt::format("App version {} is not session based", (*version)->name));
    }
    if (!(*version)->is_active) return Refuse(400, fmt::format("App version {} is not active", (*version)->name));
    Session session;
    do session.session_id = NewSessionId();
    while (sessions_.count(session.session_id) != 0);
    session.app = request.app;
    session.version = (*version)->name;
    session.version_id = VersionId(**version);
    session.kind = config.kind;
    session.ips = request.ip_list;
    session.seats = config.kind == SessionKind::kSeat ? std::max<int>(1, static_cast<int>(request.ip_list.size())) : 1;
    if (session.seats > config.sockets) {
        return Refuse(400, fmt::format("{} users do not fit in {} sockets", session.seats, config.sockets));
    }
    session.webhook_url = request.webhook_url;
    session.created = clock_.Now();
    session.create_wall = clock_.WallNow();
    auto target = PickDeployment(session, request.deployment_request_id, config.autodeploy);
    if (!target) return tl::unexpected(target.error());
    auto [it, inserted] = sessions_.emplace(session.session_id, std::move(session));
    Session& stored = it->second;
    GAPKIT_LOG_INFO("edgegap-sim", "session {} created for {} version {}", stored.session_id, stored.app,
                    stored.version);
    if (*target == nullptr) {
        SetSessionStatus(stored, "Unprocessable", "no deployment has a free socket and autodeploy is off");
    } else {
        stored.deployment_id = (*target)->request_id;
        SyncSessions(**target);
    }
    return &stored;
}

OrRefusal<Session> World::DeleteSession(const std::string& session_id) {
    auto found = sessions_.find(session_id);
    if (found == sessions_.end()) return Refuse(404, fmt::format("Session {} not found", session_id));
    Session session = std::move(found->second);
    // `session_id` may refer into the erased entry, so only `session` is used from here on.
    sessions_.erase(found);
    GAPKIT_LOG_INFO("edgegap-sim", "session {} deleted", session.session_id);
    return session;
}

void World::SetSessionStatus(Session& session, std::string status, std::string error) {
    if (session.status == status) return;
    session.status = std::move(status);
    if (session.error.empty()) session.error = std::move(error);
    if (!session.webhook_url.empty()) {
        const Deployment* deployment = FindDeployment(session.deployment_id);
        const int used = deployment != nullptr ? SocketsUsed(*deployment) : 0;
        runtime_.PostWebhook(session.webhook_url,
                             boost::json::serialize(SessionGetJson(session, deployment, used, clock_)));
    }
}

// Brings every session linked to `deployment` in line with the deployment's state.
void World::SyncSessions(const Deployment& deployment) {
    for (auto& [id, session] : sessions_) {
        if (session.deployment_id != deployment.request_id) continue;
        switch (deployment.state) {
            case DeploymentState::kSeeking:
            case DeploymentState::kDeploying:
                SetSessionStatus(session, "Waiting", {});
                break;
            case DeploymentState::kReady:
                SetSessionStatus(session, "Ready", {});
                break;
            case DeploymentState::kError:
            case DeploymentState::kTerminating:
            case DeploymentState::kTerminated:
                // The seat goes with the deployment; the session stays readable with the reason.
                session.deployment_id.clear();
                SetSessionStatus(
                    session, "Error",
                    fmt::format("deployment {} is {}", deployment.request_id, ToStatusString(deployment.state)));
                break;
        }
    }
}

}  // namespace gapkit::edgegap_sim
