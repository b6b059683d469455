#pragma once

// Test support: a tiny matchmaker stand-in. A WebSocket server on 127.0.0.1 that, for every
// connection, reads the request, sends a scripted list of text frames, then ends as told.
// It runs on its own thread; every method may be called from the test's thread.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gapkit::client::testing {

// What the server does after the last scripted reply.
enum class ScriptEnding {
    kClose,  // A normal WebSocket close (1000), as httpd does after a final reply.
    kHang,   // Keep the socket open and silent until the client leaves.
    kDrop,   // Close the TCP socket with no WebSocket close.
    kBusy,   // No WebSocket at all: answer the upgrade request with HTTP 429, as httpd does over
             // its per-address connection limit (the replies are never sent).
};

class ScriptServer {
  public:
    // Listens on a free loopback port. Throws (test code) when it cannot.
    ScriptServer(std::vector<std::string> replies, ScriptEnding ending);
    ~ScriptServer();
    ScriptServer(const ScriptServer&) = delete;
    ScriptServer& operator=(const ScriptServer&) = delete;

    // ws://127.0.0.1:<port>/matchmaker/ws
    std::string Url() const;
    std::uint16_t port() const;
    // Every request text received so far, in order.
    std::vector<std::string> Requests() const;
    // Connections that have ended (the client left or the script finished).
    int FinishedConnections() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gapkit::client::testing
