#pragma once

// A tiny HTTP/1.1 responder on 127.0.0.1 standing in for Edgegap's in-container endpoints in the
// server tests: GET answers a context JSON, DELETE answers 200. Records each request's method,
// target and Authorization header. One connection at a time; `Connection: close`.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gapkit/common/result.hpp"

namespace gapkit::server {

struct TestRequest {
    std::string method;
    std::string target;
    std::string authorization;
};

class TestHttpServer {
  public:
    static common::Result<std::unique_ptr<TestHttpServer>> Start();
    ~TestHttpServer();

    std::string url() const;
    /// The last request with `method`, or an empty one.
    TestRequest LastRequest(const std::string& method);

  private:
    TestHttpServer(int fd, int port);
    void Serve();
    void Answer(int client);

    const int fd_;
    const int port_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::map<std::string, TestRequest> last_;  // Guarded by mutex_.
    std::thread thread_;
};

}  // namespace gapkit::server
