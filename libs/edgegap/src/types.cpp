#include "gapkit/edgegap/types.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace gapkit::edgegap {
namespace {

// Edgegap spells the same state "Status.READY", "READY" and "Ready"; compare on the bare word.
std::string Normalize(std::string_view text) {
    constexpr std::string_view kPrefix = "status.";
    std::string word(text);
    std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::tolower(c); });
    if (word.starts_with(kPrefix)) word.erase(0, kPrefix.size());
    return word;
}

template <typename Enum, std::size_t N>
Enum Lookup(std::string_view text, const std::array<std::pair<std::string_view, Enum>, N>& table, Enum fallback) {
    const std::string word = Normalize(text);
    for (const auto& [name, value] : table) {
        if (word == name) return value;
    }
    return fallback;
}

constexpr std::array<std::pair<std::string_view, DeploymentState>, 9> kDeploymentStates{{
    {"initializing", DeploymentState::kInitializing},
    {"seeking", DeploymentState::kSeeking},
    {"seeked", DeploymentState::kSeeked},
    {"scanning", DeploymentState::kScanning},
    {"deploying", DeploymentState::kDeploying},
    {"ready", DeploymentState::kReady},
    {"error", DeploymentState::kError},
    {"terminating", DeploymentState::kTerminating},
    {"terminated", DeploymentState::kTerminated},
}};

constexpr std::array<std::pair<std::string_view, SessionState>, 5> kSessionStates{{
    {"waiting", SessionState::kWaiting},
    {"ready", SessionState::kReady},
    {"linked", SessionState::kLinked},
    {"unprocessable", SessionState::kUnprocessable},
    {"error", SessionState::kError},
}};

constexpr std::array<std::pair<std::string_view, SessionKind>, 5> kSessionKinds{{
    {"default", SessionKind::kDefault},
    {"seat", SessionKind::kSeat},
    {"seats", SessionKind::kSeat},
    {"match", SessionKind::kMatch},
    {"matches", SessionKind::kMatch},
}};

}  // namespace

DeploymentState ParseDeploymentState(std::string_view text) {
    return Lookup(text, kDeploymentStates, DeploymentState::kUnknown);
}

std::string_view ToString(DeploymentState state) {
    for (const auto& [name, value] : kDeploymentStates) {
        if (value == state) return name;
    }
    return "unknown";
}

SessionState ParseSessionState(std::string_view text) { return Lookup(text, kSessionStates, SessionState::kUnknown); }

std::string_view ToString(SessionState state) {
    for (const auto& [name, value] : kSessionStates) {
        if (value == state) return name;
    }
    return "unknown";
}

SessionKind ParseSessionKind(std::string_view text) { return Lookup(text, kSessionKinds, SessionKind::kUnknown); }

std::string_view ToString(StopOutcome outcome) {
    switch (outcome) {
        case StopOutcome::kStopped:
            return "stopped";
        case StopOutcome::kDeferred:
            return "deferred";
        case StopOutcome::kAlreadyGone:
            return "already gone";
    }
    return "unknown";
}

namespace {

template <typename T>
void Take(const std::optional<T>& value, T& target) {
    if (value) target = *value;
}

// Sets `patch` to `after` when it differs from `before`.
template <typename T>
void Differs(const T& before, const T& after, std::optional<T>& patch) {
    if (before != after) patch = after;
}

}  // namespace

void ApplyPatch(const AppVersionPatch& patch, AppVersion& version) {
    if (patch.arguments) version.arguments = patch.arguments;
    if (patch.command) version.command = patch.command;
    Take(patch.is_active, version.is_active);
    Take(patch.max_duration_minutes, version.max_duration_minutes);
    Take(patch.time_to_deploy_seconds, version.time_to_deploy_seconds);
    Take(patch.docker_repository, version.docker_repository);
    Take(patch.docker_image, version.docker_image);
    Take(patch.docker_tag, version.docker_tag);
    Take(patch.private_username, version.private_username);
    Take(patch.private_token, version.private_token);
    Take(patch.req_cpu, version.req_cpu);
    Take(patch.req_memory, version.req_memory);
    Take(patch.ports, version.ports);
    Take(patch.envs, version.envs);
    if (const auto& session = patch.session_config) {
        SessionConfig& config = version.session_config ? *version.session_config : version.session_config.emplace();
        Take(session->kind, config.kind);
        Take(session->sockets, config.sockets);
        Take(session->autodeploy, config.autodeploy);
        Take(session->empty_ttl_minutes, config.empty_ttl_minutes);
    }
}

AppVersionPatch DiffVersions(const AppVersion& before, const AppVersion& after) {
    AppVersionPatch patch;
    if (before.arguments != after.arguments) patch.arguments = after.arguments.value_or("");
    if (before.command != after.command) patch.command = after.command.value_or("");
    Differs(before.is_active, after.is_active, patch.is_active);
    Differs(before.max_duration_minutes, after.max_duration_minutes, patch.max_duration_minutes);
    Differs(before.time_to_deploy_seconds, after.time_to_deploy_seconds, patch.time_to_deploy_seconds);
    Differs(before.docker_repository, after.docker_repository, patch.docker_repository);
    Differs(before.docker_image, after.docker_image, patch.docker_image);
    Differs(before.docker_tag, after.docker_tag, patch.docker_tag);
    Differs(before.private_username, after.private_username, patch.private_username);
    if (!after.private_token.empty()) Differs(before.private_token, after.private_token, patch.private_token);
    Differs(before.req_cpu, after.req_cpu, patch.req_cpu);
    Differs(before.req_memory, after.req_memory, patch.req_memory);
    Differs(before.ports, after.ports, patch.ports);
    Differs(before.envs, after.envs, patch.envs);
    if (after.session_config && before.session_config != after.session_config) {
        const SessionConfig old = before.session_config.value_or(SessionConfig{});
        const SessionConfig& now = *after.session_config;
        SessionConfigPatch session;
        Differs(old.kind, now.kind, session.kind);
        Differs(old.sockets, now.sockets, session.sockets);
        Differs(old.autodeploy, now.autodeploy, session.autodeploy);
        Differs(old.empty_ttl_minutes, now.empty_ttl_minutes, session.empty_ttl_minutes);
        patch.session_config = session;
    }
    return patch;
}

}  // namespace gapkit::edgegap
