#include "gapkit/common/clock.hpp"

namespace gapkit::common {

std::uint64_t Clock::UnixSeconds() const {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(WallNow().time_since_epoch()).count());
}

const SystemClock& SystemClock::Instance() {
    static const SystemClock clock;
    return clock;
}

ManualClock::ManualClock(WallTime wall_start) : wall_start_(wall_start) {}

Clock::SteadyTime ManualClock::Now() const {
    return SteadyTime(std::chrono::nanoseconds(elapsed_ns_.load(std::memory_order_acquire)));
}

Clock::WallTime ManualClock::WallNow() const {
    return wall_start_ + std::chrono::duration_cast<WallTime::duration>(
                             std::chrono::nanoseconds(elapsed_ns_.load(std::memory_order_acquire)));
}

void ManualClock::Advance(std::chrono::nanoseconds delta) {
    if (delta.count() > 0) elapsed_ns_.fetch_add(delta.count(), std::memory_order_acq_rel);
}

}  // namespace gapkit::common
