#pragma once

// Idle keep-alive connections, per origin, shared by the calls of one client.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace gapkit::edgegap::detail {

// One open HTTP/1.1 connection: exactly one of the two streams is set.
struct Connection {
    std::unique_ptr<boost::beast::tcp_stream> plain;
    std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls;
    std::chrono::steady_clock::time_point idle_since;

    boost::beast::tcp_stream& Lowest() { return plain ? *plain : boost::beast::get_lowest_layer(*tls); }
};

// Thread-safe. A connection is in the pool only while idle; whoever takes it owns it.
class ConnectionPool {
  public:
    // Keeps at most `max_idle_per_origin` idle connections per origin, each for at most `max_idle`
    // (servers close idle connections on their own schedule; a stale one costs a failed attempt).
    ConnectionPool(std::size_t max_idle_per_origin, std::chrono::seconds max_idle)
        : max_idle_per_origin_(max_idle_per_origin), max_idle_(max_idle) {}

    // The most recently used idle connection to `origin` that is young enough, or null. With
    // `idle_below`, only one idle for less than that; older ones stay for other callers.
    std::unique_ptr<Connection> Take(const std::string& origin,
                                     std::optional<std::chrono::steady_clock::duration> idle_below = std::nullopt);
    // Returns a connection whose last answer allowed keep-alive.
    void Give(const std::string& origin, std::unique_ptr<Connection> connection);
    // Counts a newly opened connection (for monitoring and tests).
    void CountOpened();
    std::uint64_t opened() const;

  private:
    const std::size_t max_idle_per_origin_;
    const std::chrono::seconds max_idle_;
    mutable std::mutex mutex_;
    // Guarded by mutex_.
    std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle_;
    std::uint64_t opened_ = 0;
};

}  // namespace gapkit::edgegap::detail
