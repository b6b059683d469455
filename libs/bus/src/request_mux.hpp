#pragma once

// One reply subscription per connection for every asynchronous request (streamed requests,
// single-reply requests, asynchronous key-value calls).
//
// Each request gets a token (a counter) and the reply subject `<inbox prefix>.<nuid>.<token>`; ONE
// wildcard subscription `<inbox prefix>.<nuid>.*`, made on first use and kept for the connection's
// life (nats.c restores it after a reconnect), routes replies by their last subject token. One
// timer thread, started on first use, enforces every request's timeouts. So a request costs the
// server one PUB and no SUB/UNSUB (which would also reset the server's subject-match cache).
//
// Threads: `Start` from any thread. A call's `on_reply` runs on the subscription's nats.c
// delivery thread and its `on_timeout` on the timer thread, never both at once and never after the
// call has ended. Neither runs with the mux's lock held, so they may start new requests or publish.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "gapkit/common/result.hpp"
#include "nats_handles.hpp"

namespace gapkit::bus {

// One asynchronous request as the mux runs it.
struct MuxCall {
    // Each reply (owned by the mux; copy what you keep). Returns whether more replies are wanted;
    // ignored for the call's last reply (see `stream`).
    std::function<bool(natsMsg* reply)> on_reply;
    // The timeout that ended the call: `overall` true for `overall_timeout`, false for `idle_timeout`.
    std::function<void(bool overall)> on_timeout;
    // false: the first reply ends the call. true: a streamed reply, ended by an empty message or a
    // "no responders" notice (both still go to `on_reply`), by `on_reply` returning false, or by a
    // timeout.
    bool stream = false;
    // Longest wait for each reply (the first included); zero: none.
    std::chrono::milliseconds idle_timeout{0};
    // The whole call must end within this.
    std::chrono::milliseconds overall_timeout{5000};
};

struct MuxState;

// A new reply subject `<prefix>.<nuid>`. natsInbox_Create ignores the connection's custom prefix (it
// always says "_INBOX.<nuid>"), so its unique part is kept and `prefix` put in front.
common::Result<std::string> NewInbox(const std::string& prefix);

class RequestMux {
  public:
    // `connection` must outlive the mux (ConnectionCore declares the mux after it).
    RequestMux(natsConnection* connection, const std::string& inbox_prefix);
    // Stops the timer thread and the subscription and drops every pending call WITHOUT calling it;
    // waits for handlers running on other threads to return first (not for one running on this
    // thread, which may be what destroys the connection).
    ~RequestMux();
    RequestMux(const RequestMux&) = delete;
    RequestMux& operator=(const RequestMux&) = delete;

    // Publishes `data` on `subject` with the call's reply subject. On an error nothing was sent and
    // no handler of `call` will run. `action` starts error messages ("put bucket/key").
    common::Status Start(std::string_view subject, std::string_view data, MuxCall call, std::string_view action);

    // The subscribed reply wildcard, or "" before the first request (for tests and logs).
    std::string Wildcard() const;

  private:
    std::shared_ptr<MuxState> state_;
    std::thread timer_;
};

}  // namespace gapkit::bus
