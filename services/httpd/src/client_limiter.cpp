#include "client_limiter.hpp"

#include <fmt/core.h>

namespace gapkit::httpd {
namespace {

using common::ErrorCode;
using common::MakeError;

// Forgetting idle clients is O(n), so it runs only when the table has grown past this size.
constexpr std::size_t kForgetThreshold = 4096;

}  // namespace

ClientLimiter::Lease::Lease(std::shared_ptr<ClientLimiter> owner, std::string key, Slot slot)
    : owner_(std::move(owner)), key_(std::move(key)), slot_(slot) {}

ClientLimiter::Lease::~Lease() { owner_->Release(key_, slot_); }

ClientLimiter::ClientLimiter(const ClientLimits& limits, const common::Clock& clock) : limits_(limits), clock_(clock) {}

ClientLimiter::PerClient& ClientLimiter::Entry(const std::string& key, common::Clock::SteadyTime now) {
    auto it = per_client_.find(key);
    if (it == per_client_.end()) {
        if (per_client_.size() >= kForgetThreshold) ForgetIdle(now);
        const double failures = limits_.webhook_failures_per_minute;
        it = per_client_
                 .emplace(key, PerClient{0, common::TokenBucket(limits_.requests_per_minute / 60.0, limits_.burst, now),
                                         common::TokenBucket(failures / 60.0, std::max(1.0, failures), now)})
                 .first;
    }
    return it->second;
}

common::Result<std::unique_ptr<ClientLimiter::Lease>> ClientLimiter::AdmitConnection() {
    std::lock_guard lock(mutex_);
    if (connections_ >= limits_.max_connections) {
        return MakeError(ErrorCode::kResourceExhausted, "the server is at its connection limit");
    }
    ++connections_;
    return std::make_unique<Lease>(shared_from_this(), std::string(), Slot::kConnection);
}

common::Result<std::unique_ptr<ClientLimiter::Lease>> ClientLimiter::AdmitClient(const std::string& key) {
    std::lock_guard lock(mutex_);
    PerClient& entry = Entry(key, clock_.Now());
    if (entry.connections >= limits_.max_connections_per_client) {
        return MakeError(ErrorCode::kResourceExhausted, fmt::format("too many connections from your address (limit {})",
                                                                    limits_.max_connections_per_client));
    }
    ++entry.connections;
    return std::make_unique<Lease>(shared_from_this(), key, Slot::kClient);
}

common::Result<std::unique_ptr<ClientLimiter::Lease>> ClientLimiter::AdmitRequest(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (in_flight_ >= limits_.max_in_flight) {
        return MakeError(ErrorCode::kUnavailable, "too many matchmaking requests in flight, try again shortly");
    }
    if (!Entry(key, clock_.Now()).requests.TryTake(clock_.Now())) {
        return MakeError(ErrorCode::kResourceExhausted,
                         fmt::format("rate limit: at most {} requests per minute", limits_.requests_per_minute));
    }
    ++in_flight_;
    return std::make_unique<Lease>(shared_from_this(), key, Slot::kInFlight);
}

common::Status ClientLimiter::AdmitWebhookFailure(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (Entry(key, clock_.Now()).webhook_failures.TryTake(clock_.Now())) return common::Ok();
    return MakeError(ErrorCode::kResourceExhausted, "too many failed requests, slow down");
}

void ClientLimiter::Release(const std::string& key, Slot slot) {
    std::lock_guard lock(mutex_);
    switch (slot) {
        case Slot::kConnection:
            --connections_;
            return;
        case Slot::kInFlight:
            --in_flight_;
            return;
        case Slot::kClient:
            if (auto it = per_client_.find(key); it != per_client_.end()) --it->second.connections;
            return;
    }
}

void ClientLimiter::ForgetIdle(common::Clock::SteadyTime now) {
    std::erase_if(per_client_, [now](const auto& item) {
        return item.second.connections == 0 && item.second.requests.IsFull(now) &&
               item.second.webhook_failures.IsFull(now);
    });
}

int ClientLimiter::in_flight() const {
    std::lock_guard lock(mutex_);
    return in_flight_;
}

int ClientLimiter::connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
}

}  // namespace gapkit::httpd
