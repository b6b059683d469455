#pragma once

/// @file
/// A NATS connection configured from the environment, as the original (Rust) system reads it.
///
/// Variables (docs/bus.md has the full rules):
/// - `NATS_HOST` (required): `host`, `host:port` (default port 4222) or a URL (`tls://host:port`);
///   a comma-separated list names several servers of one cluster.
/// - `NATS_USER` (required), and `NATS_PASSWORD` or `NATS_PASSWORD_FILE` (a file holding it; both
///   set is an error). The password is never logged.
/// - `NATS_CA`: path to a PEM CA bundle that signed the server certificate (self-signed set-ups).
/// - `NATS_CA_CONTENTS`: the same bundle as PEM text; written to a private temp file (mode 0600)
///   and used as `NATS_CA`; wins over `NATS_CA`.
/// - `NATS_INSECURE`: set to anything: no TLS. Loopback development only; a warning is logged.
/// - `NATS_REPLICAS`: `auto` (default) or 1..5: the copies of each bucket and work queue this
///   connection creates with `replicas` 0 (the default of their configs). `auto`: 3 when the
///   connection knows 3 or more servers (listed in `NATS_HOST` or advertised by the cluster it
///   joined), 1 otherwise. An existing bucket keeps its own number (a warning says so).
///
/// TLS is on by default and verifies the server certificate (against `NATS_CA`, or against the
/// system's trusted CAs when no CA is given); a DNS host name is also checked against the
/// certificate. After the first successful connect the connection reconnects forever with
/// exponential back-off; disconnects and reconnects are logged, and `State()` tells where it is.
///
/// Threads: a `Connection` and the objects it creates (`Subscription`, `ReplyStream`, `KeyValue`,
/// `WorkQueue`) may be used from any thread; nats.c serialises internally. Asynchronous handlers run
/// on a library thread (nats.c's, or the bus's one timer thread for request timeouts), never on the
/// caller's. Objects created from a connection keep its underlying socket alive, so they may outlive
/// the `Connection` object; the socket closes when the last goes.
///
/// Shutdown: destroy every bus object, then call `CloseLibrary()` once before the process exits
/// (never from a bus handler) so nats.c's threads are joined.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gapkit/bus/message.hpp"
#include "gapkit/bus/subscription.hpp"
#include "gapkit/common/result.hpp"

namespace gapkit::bus {

/// The variables above as a `--help` footer, for every program that connects the bus
/// (`app.footer(std::string(bus::kEnvironmentHelp))`).
inline constexpr std::string_view kEnvironmentHelp =
    "NATS (environment):\n"
    "  NATS_HOST           required: host, host:port (default port 4222) or URL such as tls://host:4222;\n"
    "                      a comma-separated list names the servers of one cluster\n"
    "  NATS_USER           required: NATS user name\n"
    "  NATS_PASSWORD       NATS password (never printed), or NATS_PASSWORD_FILE: a file holding it\n"
    "  NATS_CA             path to the PEM CA that signed the server certificate (self-signed set-ups)\n"
    "  NATS_CA_CONTENTS    the same CA as PEM text (written to a private temp file); wins over NATS_CA\n"
    "  NATS_INSECURE       set to anything to connect without TLS (loopback development only)\n"
    "  NATS_REPLICAS       auto (default: 3 on a cluster of 3 or more servers, else 1) or 1..5:\n"
    "                      copies of each bucket and work queue this program creates\n";

class KeyValue;
class WorkQueue;
struct KeyValueConfig;
struct WorkQueueConfig;
struct ConnectionCore;

/// Explicit values that take precedence over the environment. An unset field falls back to the
/// matching `NATS_*` variable.
struct ConnectOptions {
    std::optional<std::string> host;      ///< Instead of `NATS_HOST`.
    std::optional<std::string> user;      ///< Instead of `NATS_USER`.
    std::optional<std::string> password;  ///< Instead of `NATS_PASSWORD` / `NATS_PASSWORD_FILE`.
    std::optional<std::string> ca_file;   ///< Instead of `NATS_CA`.
    std::optional<std::string> ca_pem;    ///< Instead of `NATS_CA_CONTENTS`.
    std::optional<bool> insecure;         ///< Instead of `NATS_INSECURE` being set.
    std::optional<int> replicas;          ///< Instead of `NATS_REPLICAS`; 0 means `auto`.
    /// Bound on the initial connect (TCP, TLS handshake and authorization). Default 5 s.
    std::chrono::milliseconds connect_timeout{5000};
    /// First reconnect delay; doubles per failed round up to `reconnect_max_delay`. Default 250 ms.
    std::chrono::milliseconds reconnect_initial_delay{250};
    /// Longest reconnect delay (plus up to 10 % jitter). Default 5 s.
    std::chrono::milliseconds reconnect_max_delay{5000};
    /// Write each publish to the socket at once instead of letting nats.c batch writes (which adds
    /// up to ~1 ms per hop). Lower request/reply latency, more syscalls under bulk publishing.
    /// Default false.
    bool send_asap = false;
    /// Prefix of this connection's reply subjects (`<prefix>.<unique>`), for its requests, streamed
    /// requests and JetStream calls. A role that may subscribe only to its own inbox subjects sets
    /// its own prefix, so that no other role can read its replies (gapkit's httpd uses
    /// `_INBOX_httpd`, game servers `_INBOX_gameserver`; see deploy/local/nats.conf.in). One NATS
    /// subject token: letters, digits, '_' and '-'. Default `_INBOX`, NATS's own.
    std::string inbox_prefix = "_INBOX";
};

/// Where a connection is. Matches nats.c's connection status.
enum class ConnectionState { kDisconnected, kConnecting, kConnected, kReconnecting, kDraining, kClosed };

/// Returns "disconnected", "connecting", "connected", "reconnecting", "draining" or "closed".
std::string_view ToString(ConnectionState state);

/// One key of a bucket as `Connection::ReadBucket` found it.
struct BucketEntry {
    std::string key;
    std::string value;
    std::uint64_t revision = 0;
    /// When the server stored this revision (its clock).
    std::chrono::system_clock::time_point written_at{};
};

/// Bounds on a streamed request (see `Connection::RequestStream`).
struct StreamOptions {
    /// The whole stream must end within this. Default 60 s.
    std::chrono::milliseconds overall_timeout{60000};
    /// Longest wait for the next part (the first included). Default 10 s.
    std::chrono::milliseconds idle_timeout{10000};
};

/// Called on a nats.c thread for each message of an asynchronous subscription.
using MessageHandler = std::function<void(const Message& message)>;

/// Callbacks of `Connection::RequestStreamAsync`, both called on a library thread, one at a time.
struct StreamHandlers {
    /// Each non-empty part, in order. Return false to stop the stream: no call follows, not even
    /// `on_end`.
    std::function<bool(const Message& part)> on_part;
    /// Called exactly once unless `on_part` stopped the stream: Ok on the empty end message or
    /// right after a last part (`Message::last_part`, see `Connection::RespondLast`);
    /// `kUnavailable` "no responders"; `kTimeout` when the idle or overall timeout passed.
    std::function<void(common::Status end)> on_end;
};

/// One connection to a NATS server or cluster. Create with `Connect`. Not copyable.
class Connection {
  public:
    /// Connects as `client_name` (shown by the server's monitoring) using `options` over the
    /// environment. Fails, without hanging longer than `connect_timeout`, with an error naming the
    /// cause: a missing variable (`kInvalidArgument`), an unreadable CA (`kNotFound`/`kInvalidArgument`),
    /// TLS verification (`kTls`), wrong credentials (`kUnauthenticated`), or no server reachable
    /// (`kUnavailable`).
    static common::Result<std::unique_ptr<Connection>> Connect(std::string client_name,
                                                               const ConnectOptions& options = {});

    /// Closes the connection unless objects created from it still hold it.
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    ConnectionState State() const;

    /// The URL of the server currently connected to, or "" while disconnected.
    std::string ConnectedUrl() const;

    /// The replicas a bucket or work queue created with `replicas` 0 gets (see `NATS_REPLICAS`),
    /// fixed at `Connect`.
    int Replicas() const;

    /// Publishes `data` on `subject` (buffered; use `Flush` to wait until the server has it).
    common::Status Publish(std::string_view subject, std::string_view data);

    /// Waits until the server has processed everything published so far.
    common::Status Flush(std::chrono::milliseconds timeout = std::chrono::seconds(5));

    /// Sends a request and waits for the first reply. `kUnavailable` "no responders" when nobody
    /// listens on `subject`; `kTimeout` when no reply came within `timeout`.
    common::Result<Message> Request(std::string_view subject, std::string_view data,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(5));

    /// Called once with the reply of `Connection::RequestAsync`, or with its error.
    using ReplyHandler = std::function<void(common::Result<Message> reply)>;

    /// `Request` for event-driven callers: nothing blocks; `done` is called exactly once, on a
    /// library thread, with the first reply, `kUnavailable` "no responders", or `kTimeout` when no
    /// reply came within `timeout`. An error here means nothing was sent and `done` will never be
    /// called. Like every asynchronous request of this connection it shares one reply subscription
    /// (see `RequestStreamAsync`).
    common::Status RequestAsync(std::string_view subject, std::string_view data, ReplyHandler done,
                                std::chrono::milliseconds timeout = std::chrono::seconds(5));

    /// Sends a request whose responder streams several replies to the inbox and ends the stream
    /// with an empty message or a last part (`RespondLast`; the matchmaker's progress convention). Read the parts with
    /// `ReplyStream::Next`. The request is sent before this returns.
    common::Result<ReplyStream> RequestStream(std::string_view subject, std::string_view data,
                                              const StreamOptions& options = {});

    /// `RequestStream` for event-driven callers (services): the parts go to `handlers` as they
    /// arrive and nothing blocks. An error here means nothing was sent and no handler will be called.
    ///
    /// Every asynchronous request of a connection (this, `RequestAsync`, `KeyValue::PutAsync`/
    /// `GetAsync`) shares ONE reply subscription, `<inbox prefix>.<nuid>.*`, made on first use and
    /// kept for the connection's life (restored after reconnects); each request's replies go to
    /// its own `<inbox prefix>.<nuid>.<n>`. One library thread enforces all their timeouts, and
    /// handlers run on that thread or on nats.c's delivery thread of the subscription, one at a
    /// time per request; they may call back into the connection (publish, start requests). All
    /// replies of the connection share that delivery thread: a handler must not block, and must
    /// never wait for another asynchronous call's answer (it could only arrive on the thread that is
    /// waiting); hand such work to your own executor. When the connection's last owner (this
    /// object and everything created from it) goes, pending requests are dropped WITHOUT calling
    /// their handlers (the handler objects are destroyed); a handler already running on another
    /// thread is waited for, so none runs afterwards.
    common::Status RequestStreamAsync(std::string_view subject, std::string_view data, StreamHandlers handlers,
                                      const StreamOptions& options = {});

    /// Publishes `data` to the reply inbox of `request`. `kInvalidArgument` if it has none.
    common::Status Respond(const Message& request, std::string_view data);

    /// Publishes `data` as the last part of a streamed reply to `request`: the stream ends with it,
    /// with no empty end message after it (one message less on every request's path). Readers see
    /// `Message::last_part` set; `RequestStream` and `RequestStreamAsync` end the stream after
    /// handing it out, as if the empty end message had followed. Carried in a NATS header, so the
    /// server must support headers (nats-server 2.2 and later).
    common::Status RespondLast(const Message& request, std::string_view data);

    /// Ends a streamed reply to `request` (publishes the empty end message).
    common::Status EndStream(const Message& request);

    /// Calls `handler` on a nats.c thread for each message on `subject` (wildcards allowed).
    common::Result<Subscription> Subscribe(std::string_view subject, MessageHandler handler);

    /// Like `Subscribe`, but each message goes to one member of the queue group `queue`.
    common::Result<Subscription> QueueSubscribe(std::string_view subject, std::string_view queue,
                                                MessageHandler handler);

    /// A subscription polled with `Subscription::NextMessage`, for tick-driven code. A non-empty
    /// `queue` joins that queue group.
    common::Result<Subscription> SubscribeSync(std::string_view subject, std::string_view queue = {});

    /// Creates the JetStream key-value bucket `config.bucket`, or binds to it if it already exists
    /// (an existing bucket keeps its settings; if its replicas differ from those wanted, a warning
    /// is logged once per process).
    common::Result<std::unique_ptr<KeyValue>> KeyValueBucket(const KeyValueConfig& config);

    /// Creates the JetStream work-queue stream `config.stream`, or binds to it if it exists (with
    /// the same replicas warning).
    common::Result<std::unique_ptr<WorkQueue>> WorkQueueStream(const WorkQueueConfig& config);

    /// Reads every live key of the existing bucket `bucket` with pure reads (`STREAM.INFO` with a
    /// subject filter, then the last message of each key), so a role without JetStream write rights
    /// may call it (the `operator` user). Deleted and purged keys are left out. `kNotFound` when the
    /// bucket does not exist; `kResourceExhausted` when it holds more than `max_keys` keys. Each
    /// call reads the bucket anew: a snapshot for tools, not for a hot path.
    common::Result<std::vector<BucketEntry>> ReadBucket(std::string_view bucket, std::size_t max_keys = 10000);

    /// The message count of the existing stream `stream` (one `STREAM.INFO`; `kNotFound` if absent).
    common::Result<std::uint64_t> StreamMessages(std::string_view stream);

  private:
    explicit Connection(std::shared_ptr<ConnectionCore> core);
    std::shared_ptr<ConnectionCore> core_;  ///< Shared with every object created from here.
};

/// Tears down nats.c after every bus object is destroyed, waiting up to `timeout` for its threads.
/// Call once at the end of `main` (never from a bus handler); succeeds at once if nats.c was never
/// used. Returns `kTimeout` if threads remain.
common::Status CloseLibrary(std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace gapkit::bus
