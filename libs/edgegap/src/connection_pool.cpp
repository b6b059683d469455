#include "connection_pool.hpp"

namespace gapkit::edgegap::detail {

std::unique_ptr<Connection> ConnectionPool::Take(const std::string& origin,
                                                 std::optional<std::chrono::steady_clock::duration> idle_below) {
    const auto now = std::chrono::steady_clock::now();
    std::unique_ptr<Connection> taken;
    std::vector<std::unique_ptr<Connection>> expired;  // Closed outside the lock.
    {
        std::lock_guard lock(mutex_);
        auto found = idle_.find(origin);
        if (found == idle_.end()) return nullptr;
        auto& connections = found->second;
        // The newest is the youngest: when it is too old for this caller, so are all the others.
        if (idle_below && !connections.empty() && now - connections.back()->idle_since >= *idle_below) return nullptr;
        // Newest first: the connection idle the shortest is the least likely to have been closed by
        // the server; the older ones found past max_idle on the way are dropped.
        while (!connections.empty() && !taken) {
            auto candidate = std::move(connections.back());
            connections.pop_back();
            if (now - candidate->idle_since < max_idle_) {
                taken = std::move(candidate);
            } else {
                expired.push_back(std::move(candidate));
            }
        }
    }
    return taken;
}

void ConnectionPool::Give(const std::string& origin, std::unique_ptr<Connection> connection) {
    connection->idle_since = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    auto& connections = idle_[origin];
    if (connections.size() < max_idle_per_origin_) connections.push_back(std::move(connection));
}

void ConnectionPool::CountOpened() {
    std::lock_guard lock(mutex_);
    ++opened_;
}

std::uint64_t ConnectionPool::opened() const {
    std::lock_guard lock(mutex_);
    return opened_;
}

}  // namespace gapkit::edgegap::detail
