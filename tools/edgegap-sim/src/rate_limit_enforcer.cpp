#include "rate_limit_enforcer.hpp"

namespace gapkit::edgegap_sim {

bool RateLimitEnforcer::Allow(RateCategory category, common::Clock::SteadyTime now) {
    int limit = 0;
    switch (category) {
        case RateCategory::kNone:
            return true;
        case RateCategory::kDeploy:
            limit = limits_.deploy_per_second;
            break;
        case RateCategory::kStatus:
            limit = limits_.status_per_second;
            break;
        case RateCategory::kContext:
            limit = limits_.context_per_second;
            break;
    }
    if (limit <= 0) return true;
    Window& window = windows_[static_cast<std::size_t>(category)];
    if (now - window.start >= std::chrono::seconds(1)) window = Window{now, 0};
    return ++window.count <= limit;
}

}  // namespace gapkit::edgegap_sim
