#include "world.hpp"

#include <algorithm>
#include <random>

#include <fmt/core.h>

#include "gapkit/common/log.hpp"
#include "json_views.hpp"
#include "version_config.hpp"

namespace gapkit::edgegap_sim {
namespace {

constexpr const char* kLog = "edgegap-sim";

std::string RandomHex(std::size_t digits) {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    std::string text;
    while (text.size() < digits) text += fmt::format("{:016x}", random());
    text.resize(digits);
    return text;
}

}  // namespace

std::string_view ToStatusString(DeploymentState state) {
    switch (state) {
        case DeploymentState::kSeeking:
            return "Status.SEEKING";
        case DeploymentState::kDeploying:
            return "Status.DEPLOYING";
        case DeploymentState::kReady:
            return "Status.READY";
        case DeploymentState::kError:
            return "Status.ERROR";
        case DeploymentState::kTerminating:
            return "Status.TERMINATING";
        case DeploymentState::kTerminated:
            return "Status.TERMINATED";
    }
    return "Status.ERROR";
}

std::string_view ToString(SessionKind kind) {
    switch (kind) {
        case SessionKind::kSeat:
            return "Seat";
        case SessionKind::kMatch:
            return "Match";
        case SessionKind::kDefault:
            return "Default";
    }
    return "Default";
}

World::World(const SimulatorConfig& config, const common::Clock& clock, Runtime& runtime, FaultState& faults,
             std::string base_url)
    : config_(config),
      clock_(clock),
      runtime_(runtime),
      faults_(faults),
      base_url_(std::move(base_url)),
      apps_(config.apps) {}

OrRefusal<AppConfig*> World::MutableApp(const std::string& app) {
    auto found = std::find_if(apps_.begin(), apps_.end(), [&](const AppConfig& a) { return a.name == app; });
    if (found == apps_.end()) return Refuse(404, fmt::format("App {} not found", app));
    return &*found;
}

OrRefusal<VersionConfig*> World::MutableVersion(const std::string& app, const std::string& version) {
    auto found_app = MutableApp(app);
    if (!found_app) return tl::unexpected(found_app.error());
    auto& versions = (*found_app)->versions;
    if (version.empty()) return &versions.back();
    auto found =
        std::find_if(versions.begin(), versions.end(), [&](const VersionConfig& v) { return v.name == version; });
    if (found == versions.end()) return Refuse(404, fmt::format("App version {} of {} not found", version, app));
    return &*found;
}

// The API key must not buy running any program: what runs is what the config file names.
common::Status World::CheckCommand(const std::string& app, VersionConfig& version) const {
    const auto configured =
        std::find_if(config_.apps.begin(), config_.apps.end(), [&](const AppConfig& a) { return a.name == app; });
    if (configured == config_.apps.end()) return common::Ok();
    if (version.command.empty()) version.command = configured->versions.front().command;
    for (const auto& v : configured->versions) {
        if (v.command == version.command) return common::Ok();
    }
    return common::MakeError(common::ErrorCode::kInvalidArgument,
                             fmt::format("command '{}' is not one of the commands the simulator's config gives app "
                                         "{} (edgegap-sim runs only those)",
                                         version.command, app));
}

OrRefusal<const VersionConfig*> World::CreateVersion(const std::string& app, VersionConfig version) {
    auto found_app = MutableApp(app);
    if (!found_app) return tl::unexpected(found_app.error());
    if (auto valid = CheckCommand(app, version); !valid) return Refuse(400, valid.error().message());
    if (auto valid = ValidateVersion(app, version); !valid) return Refuse(400, valid.error().message());
    if (MutableVersion(app, version.name)) {
        return Refuse(409, fmt::format("App version {} of {} already exists", version.name, app));
    }
    GAPKIT_LOG_INFO(kLog, "app {}: version {} created (runs {})", app, version.name, version.command);
    return &(*found_app)->versions.emplace_back(std::move(version));
}

OrRefusal<const VersionConfig*> World::ReplaceVersion(const std::string& app, VersionConfig version) {
    auto found = MutableVersion(app, version.name);
    if (!found) return tl::unexpected(found.error());
    if (auto valid = CheckCommand(app, version); !valid) return Refuse(400, valid.error().message());
    if (auto valid = ValidateVersion(app, version); !valid) return Refuse(400, valid.error().message());
    **found = std::move(version);
    return *found;
}

OrRefusal<const VersionConfig*> World::FindVersion(const std::string& app, const std::string& version) const {
    auto found = const_cast<World*>(this)->MutableVersion(app, version);
    if (!found) return tl::unexpected(found.error());
    return *found;
}

const Deployment* World::FindDeployment(const std::string& request_id) const {
    auto found = deployments_.find(request_id);
    return found == deployments_.end() ? nullptr : &found->second;
}

Deployment* World::MutableDeployment(const std::string& request_id) {
    auto found = deployments_.find(request_id);
    return found == deployments_.end() ? nullptr : &found->second;
}

const Session* World::FindSession(const std::string& session_id) const {
    return const_cast<World*>(this)->MutableSession(session_id);
}

Session* World::MutableSession(const std::string& session_id) {
    auto found = sessions_.find(session_id);
    return found == sessions_.end() ? nullptr : &found->second;
}

int World::VersionId(const VersionConfig& version) const {
    for (const auto& app : apps_) {
        for (std::size_t i = 0; i < app.versions.size(); ++i) {
            if (&app.versions[i] == &version) return static_cast<int>(i + 1);
        }
    }
    return 1;
}

boost::json::object World::StatusOf(const Deployment& deployment) const {
    auto status = StatusJson(deployment, SocketsUsed(deployment), clock_);
    if (deployment.kind == SessionKind::kDefault) return status;
    boost::json::array linked;
    for (const auto& id : deployment.linked_sessions) linked.push_back(DeploymentSessionJson(sessions_.at(id)));
    status["sessions"] = std::move(linked);
    return status;
}

OrRefusal<const Deployment*> World::Deploy(const DeployRequest& request) {
    auto version = MutableVersion(request.app, request.version);
    if (!version) return tl::unexpected(version.error());
    auto deployment = CreateDeployment(**version, request);
    if (!deployment) return tl::unexpected(deployment.error());
    return *deployment;
}

bool World::PortInUse(std::uint16_t port) const {
    for (const auto& [id, deployment] : deployments_) {
        if (deployment.Terminal()) continue;
        for (const auto& allocated : deployment.ports) {
            if (allocated.port == port) return true;
        }
    }
    return false;
}

OrRefusal<std::vector<AllocatedPort>> World::AllocatePorts(const VersionConfig& version) {
    std::vector<AllocatedPort> ports;
    for (const auto& port : version.ports) {
        // A port handed out but not yet bound by its process looks free to the OS: skip those.
        common::Result<std::uint16_t> allocated = 0;
        for (int attempt = 0; attempt < 16 && allocated && (*allocated == 0 || PortInUse(*allocated)); ++attempt) {
            allocated = runtime_.AllocatePort(port.protocol);
        }
        if (!allocated || PortInUse(*allocated)) {
            return Refuse(422, "Couldn't Allocate Server: " +
                                   (allocated ? std::string("no free port") : allocated.error().message()));
        }
        ports.push_back({port.name, *allocated, port.protocol, port.tls_upgrade});
    }
    return ports;
}

void World::InitFromVersion(Deployment& d, const VersionConfig& version) const {
    d.version = version.name;
    d.command = version.command;
    d.arguments = version.arguments;
    d.kind = version.session.kind;
    d.sockets = version.session.kind == SessionKind::kDefault ? 0 : version.session.sockets;
    d.empty_ttl = version.session.empty_ttl;
    d.max_duration = version.max_duration;
    d.grace = version.termination_grace_period;
    d.req_cpu = version.req_cpu;
    d.req_memory_mb = version.req_memory_mb;
    d.public_ip = config_.public_ip;
    d.location = config_.location;
    d.created = d.state_since = d.empty_since = clock_.Now();
    d.start_wall = clock_.WallNow();
    d.context_token = RandomHex(32);
    d.security_number = std::to_string(std::random_device{}() % 100000);
    d.delete_token = RandomHex(32);
    d.stop_key = std::to_string(std::random_device{}() % 1000000);
}

OrRefusal<Deployment*> World::CreateDeployment(const VersionConfig& version, const DeployRequest& request) {
    if (!version.is_active) return Refuse(400, fmt::format("App version {} is not active", version.name));
    Deployment d;
    d.env = version.envs;
    d.env.insert(d.env.end(), request.env_vars.begin(), request.env_vars.end());
    for (const auto& [key, value] : d.env) {
        if (value.size() > config_.max_env_value_bytes) {
            return Refuse(
                400, fmt::format("Environment variable {} is longer than {} bytes", key, config_.max_env_value_bytes));
        }
    }
    auto ports = AllocatePorts(version);
    if (!ports) return tl::unexpected(ports.error());
    d.ports = std::move(*ports);
    do d.request_id = RandomHex(12);
    while (deployments_.count(d.request_id) != 0);
    InitFromVersion(d, version);
    d.app = request.app;
    d.tags = request.tags;
    d.ip_list = request.ip_list;
    d.webhook_url = request.webhook_url;
    d.fail_when_ready = faults_.TakeFailDeployment();
    GAPKIT_LOG_INFO(kLog, "deployment {} of {} version {} created", d.request_id, d.app, d.version);
    auto [it, inserted] = deployments_.emplace(d.request_id, std::move(d));
    return &it->second;
}

OrRefusal<StopOutcome> World::Stop(const std::string& request_id, std::string_view reason) {
    Deployment* deployment = MutableDeployment(request_id);
    if (deployment == nullptr) return Refuse(404, fmt::format("Deployment {} not found", request_id));
    switch (deployment->state) {
        case DeploymentState::kTerminated:
        case DeploymentState::kTerminating:
            return Refuse(410, "Instance Already terminated");
        case DeploymentState::kSeeking:
        case DeploymentState::kDeploying:
            deployment->stop_requested = true;
            return StopOutcome::kDeferred;
        case DeploymentState::kReady:
        case DeploymentState::kError:
            BeginStop(*deployment, reason);
            return StopOutcome::kStopping;
    }
    return StopOutcome::kStopping;
}

void World::SetState(Deployment& deployment, DeploymentState state) {
    if (deployment.state == state) return;
    deployment.last_state = deployment.state;
    deployment.state = state;
    deployment.state_since = clock_.Now();
    GAPKIT_LOG_INFO(kLog, "deployment {}: {}", deployment.request_id, ToStatusString(state));
    if (state == DeploymentState::kTerminated) deployment.removal_wall = clock_.WallNow();
    const bool notify = state == DeploymentState::kReady || state == DeploymentState::kError;
    if (notify && !deployment.webhook_url.empty()) {
        runtime_.PostWebhook(deployment.webhook_url, boost::json::serialize(StatusOf(deployment)));
    }
    SyncSessions(deployment);
}

void World::RecordError(Deployment& deployment, std::string detail) {
    GAPKIT_LOG_WARN(kLog, "deployment {}: {}", deployment.request_id, detail);
    if (!deployment.error) deployment.error_detail = std::move(detail);
    deployment.error = true;
}

void World::BeginStop(Deployment& deployment, std::string_view reason) {
    GAPKIT_LOG_INFO(kLog, "deployment {}: stopping ({})", deployment.request_id, reason);
    if (!deployment.process_running) {
        SetState(deployment, DeploymentState::kTerminated);
        return;
    }
    SetState(deployment, DeploymentState::kTerminating);
    runtime_.Terminate(deployment.request_id, deployment.grace);
}

void World::StartProcess(Deployment& deployment) {
    SetState(deployment, DeploymentState::kDeploying);
    if (auto launched = runtime_.Launch(BuildLaunchSpec(deployment)); !launched) {
        RecordError(deployment, "process could not start: " + launched.error().message());
        SetState(deployment, DeploymentState::kError);
        return;
    }
    deployment.process_running = true;
}

void World::FinishStarting(Deployment& deployment) {
    if (deployment.fail_when_ready) {
        RecordError(deployment, "injected fault: deployment failed to become ready");
        SetState(deployment, DeploymentState::kError);
        runtime_.Terminate(deployment.request_id, deployment.grace);
        return;
    }
    deployment.empty_since = clock_.Now();
    SetState(deployment, DeploymentState::kReady);
    if (faults_.TakeCrashProcess()) {
        GAPKIT_LOG_INFO(kLog, "deployment {}: injected crash", deployment.request_id);
        runtime_.Kill(deployment.request_id);
    }
}

void World::TickDeployment(Deployment& d) {
    const auto now = clock_.Now();
    const auto in_state = now - d.state_since;
    if (d.state == DeploymentState::kSeeking && in_state >= config_.delays.seeking) {
        StartProcess(d);
    } else if (d.state == DeploymentState::kDeploying && d.process_running && in_state >= config_.delays.deploying) {
        FinishStarting(d);
    }
    const bool stoppable = d.state == DeploymentState::kReady || d.state == DeploymentState::kError;
    if (stoppable && d.stop_requested) {
        BeginStop(d, "stop requested while starting");
    } else if (!d.Terminal() && d.state != DeploymentState::kTerminating && now - d.created >= d.max_duration) {
        BeginStop(d, "max duration reached");
    } else if (d.state == DeploymentState::kReady) {
        // Tracked even with the TTL off: the fault harness reads how long a deployment stood empty.
        if (SocketsUsed(d) > 0) d.empty_since = now;
        const bool ttl_on = d.kind != SessionKind::kDefault && d.empty_ttl.count() > 0;
        if (ttl_on && now - d.empty_since >= d.empty_ttl) BeginStop(d, "empty time-to-live reached");
    }
}

void World::Tick() {
    for (auto& [id, deployment] : deployments_) TickDeployment(deployment);
}

void World::OnProcessExit(const ProcessExit& exit) {
    Deployment* deployment = MutableDeployment(exit.request_id);
    if (deployment == nullptr) return;
    deployment->process_running = false;
    deployment->exit = exit;
    // An ERROR deployment stays in ERROR, as on Edgegap, until someone stops it.
    if (deployment->state == DeploymentState::kTerminated || deployment->state == DeploymentState::kError) return;
    if (deployment->state != DeploymentState::kTerminating && !exit.clean) {
        RecordError(*deployment, "process " + exit.how);  // A crash: the process ended on its own.
    }
    GAPKIT_LOG_INFO(kLog, "deployment {}: process {}", exit.request_id, exit.how);
    SetState(*deployment, DeploymentState::kTerminated);
}

}  // namespace gapkit::edgegap_sim
