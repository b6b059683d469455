#include "digest_cache.hpp"

namespace gapkit::matchmaker {

DigestCache::DigestCache(std::chrono::seconds ttl, std::size_t max_entries) : ttl_(ttl), max_entries_(max_entries) {}

std::optional<std::string> DigestCache::Find(std::string_view deployment, std::string_view ip,
                                             common::Clock::SteadyTime now) {
    std::lock_guard lock(mutex_);
    auto found = entries_.find(std::pair<std::string, std::string>(deployment, ip));
    if (found == entries_.end()) return std::nullopt;
    if (now - found->second.read_at >= ttl_) {
        entries_.erase(found);
        return std::nullopt;
    }
    return found->second.digest;
}

void DigestCache::Remember(std::string_view deployment, std::string_view ip, std::string digest,
                           common::Clock::SteadyTime now) {
    if (digest.empty()) return;
    std::lock_guard lock(mutex_);
    // Expired entries of deployments nobody asks for again would otherwise stay: starting over is
    // one read per running server, and simpler than aging the whole map.
    if (entries_.size() >= max_entries_) entries_.clear();
    entries_[{std::string(deployment), std::string(ip)}] = Entry{std::move(digest), now};
}

}  // namespace gapkit::matchmaker
