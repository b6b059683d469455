#pragma once

// The per-client and global limits of httpd: connections in all, connection slots per client,
// matchmaking requests per client per minute (token bucket), matchmaking requests in flight, and
// wrong webhook secrets per client. A "client" is a limit key from client_address.hpp (an IPv4
// address or an IPv6 network). Thread-safe; the I/O threads share one instance. Admission returns
// RAII leases so a limit is released on every path out of a session, exceptions included.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "gapkit/common/clock.hpp"
#include "gapkit/common/result.hpp"
#include "gapkit/common/token_bucket.hpp"

namespace gapkit::httpd {

struct ClientLimits {
    double requests_per_minute = 30;
    double burst = 10;
    int max_connections_per_client = 8;
    int max_connections = 10000;
    int max_in_flight = 256;
    double webhook_failures_per_minute = 10;
};

class ClientLimiter : public std::enable_shared_from_this<ClientLimiter> {
  public:
    enum class Slot { kConnection, kClient, kInFlight };

    /// Releases what it holds when destroyed.
    class Lease {
      public:
        Lease(std::shared_ptr<ClientLimiter> owner, std::string key, Slot slot);
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease();

      private:
        std::shared_ptr<ClientLimiter> owner_;
        std::string key_;
        Slot slot_;
    };

    /// `clock` must outlive the limiter. Create with std::make_shared.
    ClientLimiter(const ClientLimits& limits, const common::Clock& clock);

    /// Admits one more connection under the global cap, or kResourceExhausted.
    common::Result<std::unique_ptr<Lease>> AdmitConnection();

    /// Takes one of `key`'s connection slots, or kResourceExhausted.
    common::Result<std::unique_ptr<Lease>> AdmitClient(const std::string& key);

    /// Admits one matchmaking request from `key`: takes a rate token (kResourceExhausted) and an
    /// in-flight slot (kUnavailable).
    common::Result<std::unique_ptr<Lease>> AdmitRequest(const std::string& key);

    /// Counts one wrong webhook secret from `key`; kResourceExhausted once over the rate.
    common::Status AdmitWebhookFailure(const std::string& key);

    int in_flight() const;
    int connections() const;

  private:
    struct PerClient {
        int connections = 0;
        common::TokenBucket requests;
        common::TokenBucket webhook_failures;
    };
    PerClient& Entry(const std::string& key, common::Clock::SteadyTime now);
    void Release(const std::string& key, Slot slot);
    void ForgetIdle(common::Clock::SteadyTime now);

    const ClientLimits limits_;
    const common::Clock& clock_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, PerClient> per_client_;  // Guarded by mutex_.
    int connections_ = 0;                                    // Guarded by mutex_.
    int in_flight_ = 0;                                      // Guarded by mutex_.
};

}  // namespace gapkit::httpd
