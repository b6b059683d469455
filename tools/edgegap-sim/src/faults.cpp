#include "faults.hpp"

namespace gapkit::edgegap_sim {

void FaultState::Set(const Faults& faults) {
    std::lock_guard lock(mutex_);
    faults_ = faults;
}

Faults FaultState::Get() const {
    std::lock_guard lock(mutex_);
    return faults_;
}

bool FaultState::Take(int Faults::*counter) {
    std::lock_guard lock(mutex_);
    if (faults_.*counter <= 0) return false;
    --(faults_.*counter);
    return true;
}

bool FaultState::TakeRateLimit() { return Take(&Faults::rate_limit_next_requests); }
bool FaultState::TakeFailDeployment() { return Take(&Faults::fail_next_deployments); }
bool FaultState::TakeCrashProcess() { return Take(&Faults::crash_next_processes); }

bool FaultState::TakeRouted(RouteCountdowns Faults::*countdowns, const std::string& route_name) {
    std::lock_guard lock(mutex_);
    RouteCountdowns& counts = faults_.*countdowns;
    for (const std::string& key : {route_name, std::string("*")}) {
        auto found = counts.find(key);
        if (found == counts.end() || found->second <= 0) continue;
        --found->second;
        return true;
    }
    return false;
}

bool FaultState::Roll(double Faults::*fraction) {
    std::lock_guard lock(mutex_);
    const double threshold = faults_.*fraction;
    if (threshold <= 0.0) return false;
    return std::uniform_real_distribution<double>(0.0, 1.0)(random_) < threshold;
}

}  // namespace gapkit::edgegap_sim
