// Sessions: seat accounting, users, the per-deployment index, linking to a deployment or
// auto-deploying one, status changes.
#include <random>
#include <unordered_set>

#include <fmt/core.h>
#include <boost/asio/ip/address.hpp>

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

// A Seat session takes a socket per user, and one while it has none (its size is at least 1);
// a Match session takes one socket whatever its users.
int SeatsFor(SessionKind kind, std::size_t users) {
    return kind == SessionKind::kSeat ? std::max<int>(1, static_cast<int>(users)) : 1;
}

// A user is an IP: an IP already among `users` (or twice in `ips`) is one user.
void AddDistinct(std::vector<std::string>& users, const std::vector<std::string>& ips) {
    std::unordered_set<std::string_view> known(users.begin(), users.end());
    std::vector<std::string> added;
    for (const auto& ip : ips) {
        if (known.insert(ip).second) added.push_back(ip);
    }
    users.insert(users.end(), std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
}

bool IsIpAddress(const std::string& text) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(text, ec);
    return !ec;
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
    AddDistinct(session.ips, request.ip_list);
    session.seats = SeatsFor(config.kind, session.ips.size());
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
        Link(stored, **target);
        SyncSession(stored, **target);
    }
    return &stored;
}

OrRefusal<Session> World::DeleteSession(const std::string& session_id) {
    auto found = sessions_.find(session_id);
    if (found == sessions_.end()) return Refuse(404, fmt::format("Session {} not found", session_id));
    Unlink(found->second);
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

OrRefusal<const Session*> World::AddSessionUsers(const std::string& session_id, const std::vector<std::string>& ips) {
    Session* session = MutableSession(session_id);
    if (session == nullptr) return Refuse(404, fmt::format("Session {} not found", session_id));
    for (std::size_t i = 0; i < ips.size(); ++i) {
        if (!IsIpAddress(ips[i])) return Refuse(422, fmt::format("ip_list[{}] is not an IPv4 or IPv6 address", i));
    }
    std::vector<std::string> users = session->ips;
    AddDistinct(users, ips);
    if (users.size() == session->ips.size()) return session;
    const int seats = SeatsFor(session->kind, users.size());
    if (seats > session->seats) {
        const Deployment* deployment = FindDeployment(session->deployment_id);
        if (deployment == nullptr || !Joinable(*deployment) || deployment->stop_requested) {
            return Refuse(422, fmt::format("Session {} is not linked to a running deployment", session_id));
        }
        const int free = deployment->sockets - deployment->sockets_used;
        if (seats - session->seats > free) {
            return Refuse(422, fmt::format("{} new users do not fit in the {} free sockets of deployment {}",
                                           seats - session->seats, free, deployment->request_id));
        }
    }
    GAPKIT_LOG_DEBUG("edgegap-sim", "session {}: {} users added", session->session_id,
                     users.size() - session->ips.size());
    session->ips = std::move(users);
    SetSeats(*session, seats);
    return session;
}

OrRefusal<const Session*> World::RemoveSessionUsers(const std::string& session_id,
                                                    const std::vector<std::string>& ips) {
    Session* session = MutableSession(session_id);
    if (session == nullptr) return Refuse(404, fmt::format("Session {} not found", session_id));
    const std::unordered_set<std::string_view> leaving(ips.begin(), ips.end());
    const auto removed = std::erase_if(session->ips, [&](const std::string& ip) { return leaving.contains(ip); });
    GAPKIT_LOG_DEBUG("edgegap-sim", "session {}: {} users removed", session->session_id, removed);
    SetSeats(*session, SeatsFor(session->kind, session->ips.size()));
    return session;
}

void World::Link(Session& session, Deployment& deployment) {
    session.deployment_id = deployment.request_id;
    deployment.linked_sessions.insert(session.session_id);
    deployment.sockets_used += session.seats;
}

void World::Unlink(Session& session) {
    if (Deployment* deployment = MutableDeployment(session.deployment_id)) {
        deployment->linked_sessions.erase(session.session_id);
        deployment->sockets_used -= session.seats;
    }
    session.deployment_id.clear();
}

void World::SetSeats(Session& session, int seats) {
    if (Deployment* deployment = MutableDeployment(session.deployment_id)) {
        deployment->sockets_used += seats - session.seats;
    }
    session.seats = seats;
}

// Brings every session linked to `deployment` in line with the deployment's state.
void World::SyncSessions(Deployment& deployment) {
    // An ending deployment unlinks each session as it goes: step past an id before it is erased.
    for (auto next = deployment.linked_sessions.begin(); next != deployment.linked_sessions.end();) {
        Session& session = sessions_.at(*next++);
        SyncSession(session, deployment);
    }
}

void World::SyncSession(Session& session, const Deployment& deployment) {
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
            Unlink(session);
            SetSessionStatus(
                session, "Error",
                fmt::format("deployment {} is {}", deployment.request_id, ToStatusString(deployment.state)));
            break;
    }
}

}  // namespace gapkit::edgegap_sim
