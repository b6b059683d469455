#pragma once

/// @file
/// `ServerFacts`: the matchmaker's side of the game-server facts (docs/protocol/gameserver-facts.md).
/// Game servers may not write JetStream; they state facts on `gameserver.<deployment>.<fact>` and
/// this component checks each one before it writes the KV:
///
/// - `join {client_id}`: accepted when `sessions_ly2eg[client id]` names a session whose token was
///   issued for this deployment (`session_deployments`); writes `active_connections[session] =
///   client id` and replies the session id.
/// - `left {session_id, client_id}`: accepted when `active_connections[session] == client id` (and
///   the session's deployment is this one while still recorded); deletes it, and the watcher
///   queues the Edgegap delete. Already gone is accepted.
/// - `cert_digest {public_ip, digest}`: accepted when Edgegap's `GetDeploymentStatus(deployment)`
///   exists and has that public ip; writes `cert_digests[deployment] = digest` (several deployments
///   may share one public ip, so the ip only checks the claim).
/// - `alive {sessions: [{session_id, client_id}, ...]}` (a publish, not answered): for each pair
///   with `active_connections[session] == client id`, refreshes `connections_seen[session]`; the
///   other pairs change nothing. Each pair is counted (`accepted`, `refused`, `failed`), a
///   malformed fact once (`refused`). The client id is the proof, as for a late `left`: a forger
///   must know both ids to keep a session alive.
///
/// Every payload is outside data: malformed or false facts are refused with a reason; a failure to
/// check (KV, Edgegap) is answered `failed`, so the server tries again. Replies: protocol/server_facts.hpp.
/// Refusals are logged at warn, at most about one a second (the rest at debug); every answer is
/// counted in `gapkit_matchmaker_server_facts_total`. At most `kMaxDigestChecksInFlight` Edgegap
/// checks run at once, so a flood of digest claims cannot eat the Edgegap rate budget of player
/// requests.
///
/// Threads: the subscriptions (queue group `matchmaker`) call in on NATS threads; each fact is
/// posted to its own strand of the service's io_context, where it runs as a coroutine (KV calls
/// block briefly, as in request.cpp). `Subscribe`/`Unsubscribe` from the service's owner thread.
/// Ownership: borrows everything; the service keeps it all alive until its threads are joined.

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "gapkit/bus/connection.hpp"
#include "gapkit/common/clock.hpp"
#include "gapkit/common/token_bucket.hpp"
#include "gapkit/edgegap/api.hpp"
#include "gapkit/protocol/server_facts.hpp"
#include "metrics.hpp"
#include "session_book.hpp"

namespace gapkit::matchmaker {

/// Edgegap checks of `cert_digest` facts running at once; more are answered `failed` (busy).
inline constexpr int kMaxDigestChecksInFlight = 8;

class ServerFacts {
  public:
    ServerFacts(bus::Connection& bus, SessionBook& book, edgegap::EdgegapApi& api,
                boost::asio::any_io_executor executor, const common::Clock& clock, Metrics& metrics);

    /// Subscribes to `gameserver.*.join`, `.left`, `.cert_digest` and `.alive` in the queue group.
    common::Status Subscribe();
    /// Stops taking facts (facts being checked finish, or die with the io_context).
    void Unsubscribe();

    /// The checks, without the bus (for tests): `deployment` is the subject's token.
    protocol::FactReply Join(const std::string& deployment, const std::string& payload);
    protocol::FactReply Left(const std::string& deployment, const std::string& payload);
    boost::asio::awaitable<protocol::FactReply> CertDigest(std::string deployment, std::string payload);
    /// Returns how many pairs it refreshed.
    int Alive(const std::string& deployment, const std::string& payload);

  private:
    boost::asio::awaitable<void> Handle(std::string fact, bus::Message message);
    void HandleAlive(const bus::Message& message);
    boost::asio::awaitable<protocol::FactReply> Check(const std::string& fact, const std::string& deployment,
                                                      const std::string& payload);
    protocol::FactReply Refuse(const std::string& fact, const std::string& deployment, std::string reason);

    bus::Connection& bus_;
    SessionBook& book_;
    edgegap::EdgegapApi& api_;
    boost::asio::any_io_executor executor_;
    const common::Clock& clock_;
    Metrics& metrics_;
    std::atomic<int> digest_checks_{0};
    std::mutex log_mutex_;
    common::TokenBucket warn_budget_;               // Guarded by log_mutex_.
    std::vector<bus::Subscription> subscriptions_;  // Owner thread only.
};

}  // namespace gapkit::matchmaker
