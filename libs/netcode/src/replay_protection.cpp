#include "gapkit/netcode/replay_protection.hpp"

#include <algorithm>
#include <limits>

namespace gapkit::netcode {

namespace {
constexpr std::uint64_t kEmpty = std::numeric_limits<std::uint64_t>::max();
}

void ReplayProtection::Reset() {
    most_recent_sequence_ = 0;
    received_.fill(kEmpty);
}

bool ReplayProtection::AlreadyReceived(std::uint64_t sequence) const {
    // Subtract from most_recent instead of adding to sequence: sequence + 256 overflows near 2^64.
    if (most_recent_sequence_ >= kWindowPackets && sequence <= most_recent_sequence_ - kWindowPackets) return true;
    const std::uint64_t entry = received_[sequence % kWindowPackets];
    return entry != kEmpty && entry >= sequence;
}

void ReplayProtection::Advance(std::uint64_t sequence) {
    most_recent_sequence_ = std::max(most_recent_sequence_, sequence);
    received_[sequence % kWindowPackets] = sequence;
}

}  // namespace gapkit::netcode
