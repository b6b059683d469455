#pragma once

/// @file
/// The 256-entry replay window netcode keeps per connection for keep-alive, payload and disconnect
/// packets.
///
/// Uses the overflow-safe comparison of the reference's 2026 fix (`s <= most_recent - 256` only
/// when `most_recent >= 256`), so sequences near 2^64 are handled. Not thread-safe: owned by one
/// connection and used from its thread.

#include <array>
#include <cstdint>

namespace gapkit::netcode {

class ReplayProtection {
  public:
    static constexpr std::size_t kWindowPackets = 256;

    ReplayProtection() { Reset(); }

    /// Forgets everything, as on a new connection.
    void Reset();

    /// True when `sequence` is older than the window or was already seen; such packets are dropped.
    bool AlreadyReceived(std::uint64_t sequence) const;

    /// Records `sequence`; call only after the packet it came with decrypted.
    void Advance(std::uint64_t sequence);

    std::uint64_t most_recent_sequence() const { return most_recent_sequence_; }

  private:
    std::uint64_t most_recent_sequence_ = 0;
    std::array<std::uint64_t, kWindowPackets> received_{};
};

}  // namespace gapkit::netcode
