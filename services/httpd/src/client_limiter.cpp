#include "client_limiter.hpp"

#include <fmt/core.h>

namespace gapkit::httpd {
namespace {

using common::ErrorCode;
using common::MakeError;

// Forgetting idle IPs is O(n), so it runs only when the table has grown past this size.
constexpr std::size_t kForgetThreshold = 4096;

}  // namespace

ClientLimiter::Lease::Lease(std::shared_ptr<ClientLimiter> owner, std::string ip, bool in_flight)
    : owner_(std::move(owner)), ip_(std::move(ip)), in_flight_(in_flight) {}

ClientLimiter::Lease::~Lease() { owner_->Release(ip_, in_flight_); }

ClientLimiter::ClientLimiter(const ClientLimits& limits, const common::Clock& clock) : limits_(limits), clock_(clock) {}

ClientLimiter::PerIp& ClientLimiter::Entry(const std::string& ip, common::Clock::SteadyTime now) {
    auto it = per_ip_.find(ip);
    if (it == per_ip_.end()) {
        if (per_ip_.size() >= kForgetThreshold) ForgetIdle(now);
        it = per_ip_.emplace(ip, PerIp{0, common::TokenBucket(limits_.requests_per_minute / 60.0, limits_.burst, now)})
                 .first;
    }
    return it->second;
}

common::Result<std::unique_ptr<ClientLimiter::Lease>> ClientLimiter::AdmitConnection(const std::string& ip) {
    std::lock_guard lock(mutex_);
    if (connections_ >= limits_.max_connections) {
        return MakeError(ErrorCode::kResourceExhausted, "the server is at its connection limit");
    }
    PerIp& entry = Entry(ip, clock_.Now());
    if (entry.connections >= limits_.max_connections_per_ip) {
        return MakeError(ErrorCode::kResourceExhausted, fmt::format("too many connections from your address (limit {})",
                                                                    limits_.max_connections_per_ip));
    }
    ++entry.connections;
    ++connections_;
    return std::make_unique<Lease>(shared_from_this(), ip, false);
}

common::Result<std::unique_ptr<ClientLimiter::Lease>> ClientLimiter::AdmitRequest(const std::string& ip) {
    std::lock_guard lock(mutex_);
    if (in_flight_ >= limits_.max_in_flight) {
        return MakeError(ErrorCode::kUnavailable, "too many matchmaking requests in flight, try again shortly");
    }
    if (!Entry(ip, clock_.Now()).requests.TryTake(clock_.Now())) {
        return MakeError(ErrorCode::kResourceExhausted,
                         fmt::format("rate limit: at most {} requests per minute", limits_.requests_per_minute));
    }
    ++in_flight_;
    return std::make_unique<Lease>(shared_from_this(), ip, true);
}

void ClientLimiter::Release(const std::string& ip, bool in_flight) {
    std::lock_guard lock(mutex_);
    if (in_flight) {
        --in_flight_;
        return;
    }
    --connections_;
    if (auto it = per_ip_.find(ip); it != per_ip_.end()) --it->second.connections;
}

void ClientLimiter::ForgetIdle(common::Clock::SteadyTime now) {
    std::erase_if(per_ip_,
                  [now](const auto& item) { return item.second.connections == 0 && item.second.requests.IsFull(now); });
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
