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

bool FaultState::Roll(double Faults::*fraction) {
    std::lock_guard lock(mutex_);
    const double threshold = faults_.*fraction;
    if (threshold <= 0.0) return false;
    return std::uniform_real_distribution<double>(0.0, 1.0)(random_) < threshold;
}

}  // namespace gapkit::edgegap_sim
