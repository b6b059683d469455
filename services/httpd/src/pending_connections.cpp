#include "pending_connections.hpp"

#include <vector>

namespace gapkit::httpd {

PendingConnections::PendingConnections(int capacity) : capacity_(capacity) {}

std::uint64_t PendingConnections::Add(Closer closer) {
    Closer evict;
    std::uint64_t id = 0;
    {
        std::lock_guard lock(mutex_);
        if (static_cast<int>(closers_.size()) >= capacity_ && !closers_.empty()) {
            evict = std::move(closers_.begin()->second);
            closers_.erase(closers_.begin());
            ++evicted_;
        }
        id = ++next_id_;
        closers_.emplace(id, std::move(closer));
    }
    // Outside the lock: a closer only posts, but it is foreign code.
    if (evict) evict();
    return id;
}

void PendingConnections::Remove(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    closers_.erase(id);
}

int PendingConnections::EvictOldest(int count) {
    std::vector<Closer> evict;
    {
        std::lock_guard lock(mutex_);
        while (static_cast<int>(evict.size()) < count && !closers_.empty()) {
            evict.push_back(std::move(closers_.begin()->second));
            closers_.erase(closers_.begin());
        }
        evicted_ += evict.size();
    }
    for (auto& close : evict) close();
    return static_cast<int>(evict.size());
}

int PendingConnections::size() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(closers_.size());
}

std::uint64_t PendingConnections::evicted() const {
    std::lock_guard lock(mutex_);
    return evicted_;
}

}  // namespace gapkit::httpd
