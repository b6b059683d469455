#pragma once

// The per-client-IP and global limits of httpd: connections per IP, matchmaking requests per IP
// per minute (token bucket) and matchmaking requests in flight. Thread-safe; the I/O threads share
// one instance. Admission returns RAII leases so a limit is released on every path out of a
// session, exceptions included.

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
    int max_connections_per_ip = 8;
    int max_connections = 10000;
    int max_in_flight = 256;
};

class ClientLimiter : public std::enable_shared_from_this<ClientLimiter> {
  public:
    /// Releases what it holds when destroyed.
    class Lease {
      public:
        Lease(std::shared_ptr<ClientLimiter> owner, std::string ip, bool in_flight);
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease();

      private:
        std::shared_ptr<ClientLimiter> owner_;
        std::string ip_;
        bool in_flight_;
    };

    /// `clock` must outlive the limiter. Create with std::make_shared.
    ClientLimiter(const ClientLimits& limits, const common::Clock& clock);

    /// Admits one more connection from `ip`, or says which limit it hit (kResourceExhausted).
    common::Result<std::unique_ptr<Lease>> AdmitConnection(const std::string& ip);

    /// Admits one matchmaking request from `ip`: takes a rate token and an in-flight slot.
    common::Result<std::unique_ptr<Lease>> AdmitRequest(const std::string& ip);

    int in_flight() const;
    int connections() const;

  private:
    struct PerIp {
        int connections = 0;
        common::TokenBucket requests;
    };
    PerIp& Entry(const std::string& ip, common::Clock::SteadyTime now);
    void Release(const std::string& ip, bool in_flight);
    void ForgetIdle(common::Clock::SteadyTime now);

    const ClientLimits limits_;
    const common::Clock& clock_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, PerIp> per_ip_;  // Guarded by mutex_.
    int connections_ = 0;                            // Guarded by mutex_.
    int in_flight_ = 0;                              // Guarded by mutex_.
};

}  // namespace gapkit::httpd
