#pragma once

/// @file
/// `DigestCache`: the game servers' certificate digests the matchmaker has read from `cert_digests`,
/// kept for a short while. A game server publishes its digest once, when it starts, so every later
/// player placed on the same deployment would read the same value again: one bus round trip per
/// match for nothing (issue 16). Entries are keyed by deployment AND address, so a new deployment
/// on a reused address is read afresh; only a game server restarted inside its deployment with a
/// new certificate could be served the old digest, for at most the entry's life. Empty digests (a
/// server that has not published yet, or never will) are not kept.
///
/// Threads: any; every method locks. Time comes from the caller (the request's clock).

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "gapkit/common/clock.hpp"

namespace gapkit::matchmaker {

class DigestCache {
  public:
    /// Entries live `ttl` (default 30 s); past `max_entries` (default 4,096: one per running game
    /// server is plenty) the cache starts over empty.
    explicit DigestCache(std::chrono::seconds ttl = std::chrono::seconds(30), std::size_t max_entries = 4096);

    /// The digest read for `deployment` at `ip` less than `ttl` before `now`, if any.
    std::optional<std::string> Find(std::string_view deployment, std::string_view ip, common::Clock::SteadyTime now);

    /// Keeps `digest` (ignored when empty) as read at `now`.
    void Remember(std::string_view deployment, std::string_view ip, std::string digest, common::Clock::SteadyTime now);

  private:
    struct Entry {
        std::string digest;
        common::Clock::SteadyTime read_at;
    };
    const std::chrono::seconds ttl_;
    const std::size_t max_entries_;
    std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, Entry, std::less<>> entries_;  // Guarded by mutex_.
};

}  // namespace gapkit::matchmaker
