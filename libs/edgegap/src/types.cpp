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

}  // namespace gapkit::edgegap
