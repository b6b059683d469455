#include "server_facts.hpp"

#include <exception>

#include <fmt/core.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "capped_slot.hpp"
#include "gapkit/bus/names.hpp"
#include "gapkit/common/log.hpp"

namespace gapkit::matchmaker {
namespace {

namespace asio = boost::asio;
namespace names = bus::names;
using protocol::FactReply;
using Outcome = protocol::FactReply::Outcome;

// Refusals are what an attacker with a stolen gameserver credential can produce at will: a warning
// per second at most (burst 10) keeps them visible without letting them flood the log.
constexpr double kRefusalWarningsPerSecond = 1.0;
constexpr double kRefusalWarningBurst = 10.0;

FactReply Accepted(std::string session_id = {}) { return {Outcome::kAccepted, std::move(session_id), {}}; }

FactReply Failed(const common::Error& error) {
    GAPKIT_LOG_WARN("matchmaker", "checking a game server's fact: {}", error.ToString());
    return {Outcome::kFailed, {}, "the matchmaker could not check it, try again"};
}

}  // namespace

ServerFacts::ServerFacts(bus::Connection& bus, SessionBook& book, edgegap::EdgegapApi& api,
                         asio::any_io_executor executor, const common::Clock& clock, Metrics& metrics)
    : bus_(bus),
      book_(book),
      api_(api),
      executor_(std::move(executor)),
      clock_(clock),
      metrics_(metrics),
      warn_budget_(kRefusalWarningsPerSecond, kRefusalWarningBurst, clock.Now()) {}

common::Status ServerFacts::Subscribe() {
    for (std::string_view fact : {names::kJoinFact, names::kLeftFact, names::kCertDigestFact}) {
        const std::string subject = names::GameServerWildcardSubject(fact);
        auto subscription = bus_.QueueSubscribe(
            subject, names::kMatchmakerQueueGroup, [this, fact = std::string(fact)](const bus::Message& message) {
                asio::co_spawn(asio::make_strand(executor_), Handle(fact, message), asio::detached);
            });
        if (!subscription) return common::Fail(subscription.error().WithContext(subject));
        subscriptions_.push_back(std::move(*subscription));
    }
    const std::string alive = names::GameServerWildcardSubject(names::kAliveFact);
    auto subscription = bus_.QueueSubscribe(alive, names::kMatchmakerQueueGroup, [this](const bus::Message& message) {
        asio::post(executor_, [this, message] { HandleAlive(message); });
    });
    if (!subscription) return common::Fail(subscription.error().WithContext(alive));
    subscriptions_.push_back(std::move(*subscription));
    return common::Ok();
}

void ServerFacts::Unsubscribe() { subscriptions_.clear(); }

asio::awaitable<void> ServerFacts::Handle(std::string fact, bus::Message message) {
    // Without a reply inbox nobody hears the answer; and an answer to any other reply subject
    // would be published with the matchmaker's rights (names.hpp, IsInboxOf).
    if (!names::IsInboxOf(message.reply, names::kGameServerInboxPrefix)) {
        metrics_.CountFact(fact, "ignored");
        GAPKIT_LOG_DEBUG("matchmaker", "ignoring a {} fact with reply subject '{}'", fact, message.reply);
        co_return;
    }
    FactReply reply;
    auto deployment = names::DeploymentOfGameServerSubject(message.subject, fact);
    try {
        // Plain statements around co_await: GCC 12 mis-compiles a co_await inside ?:.
        if (deployment) {
            reply = co_await Check(fact, *deployment, message.data);
        } else {
            reply = Refuse(fact, "?", deployment.error().message());
        }
    } catch (const std::exception& error) {
        // The one catch: a bug or an allocation failure still gets the server an answer.
        reply = Failed(common::Error(common::ErrorCode::kInternal, error.what()));
    }
    metrics_.CountFact(fact, protocol::ToString(reply.outcome));
    if (auto sent = bus_.Respond(message, protocol::SerializeFactReply(reply)); !sent) {
        GAPKIT_LOG_DEBUG("matchmaker", "answering a {} fact: {}", fact, sent.error().ToString());
    }
}

asio::awaitable<FactReply> ServerFacts::Check(const std::string& fact, const std::string& deployment,
                                              const std::string& payload) {
    if (fact == names::kJoinFact) co_return Join(deployment, payload);
    if (fact == names::kLeftFact) co_return Left(deployment, payload);
    co_return co_await CertDigest(deployment, payload);
}

FactReply ServerFacts::Refuse(const std::string& fact, const std::string& deployment, std::string reason) {
    bool warn = false;
    {
        std::lock_guard lock(log_mutex_);
        warn = warn_budget_.TryTake(clock_.Now());
    }
    if (warn) {
        GAPKIT_LOG_WARN("matchmaker", "refused {} from deployment {}: {}", fact, deployment, reason);
    } else {
        GAPKIT_LOG_DEBUG("matchmaker", "refused {} from deployment {}: {}", fact, deployment, reason);
    }
    return {Outcome::kRefused, {}, std::move(reason)};
}

FactReply ServerFacts::Join(const std::string& deployment, const std::string& payload) {
    const std::string fact(names::kJoinFact);
    auto join = protocol::ParseJoinFact(payload);
    if (!join) return Refuse(fact, deployment, join.error().message());
    auto session = book_.SessionOfClient(join->client_id);
    if (!session) return Failed(session.error());
    if (!*session) return Refuse(fact, deployment, "no session for this client id (unknown or expired)");
    auto issued_for = book_.DeploymentOf(**session);
    if (!issued_for) return Failed(issued_for.error());
    if (*issued_for != deployment) return Refuse(fact, deployment, "the session was not issued for this deployment");
    if (auto recorded = book_.RecordConnection(**session, join->client_id); !recorded) return Failed(recorded.error());
    GAPKIT_LOG_DEBUG("matchmaker", "session {} joined on deployment {}", **session, deployment);
    return Accepted(std::move(**session));
}

FactReply ServerFacts::Left(const std::string& deployment, const std::string& payload) {
    const std::string fact(names::kLeftFact);
    auto left = protocol::ParseLeftFact(payload);
    if (!left) return Refuse(fact, deployment, left.error().message());
    auto connected = book_.ConnectedClient(left->session_id);
    if (!connected) return Failed(connected.error());
    if (!*connected) return Accepted();  // Already cleared: a repeat, or a retry after a lost answer.
    if (**connected != std::to_string(left->client_id)) {
        return Refuse(fact, deployment, "the client id is not the session's");
    }
    // The deployment is recorded only for the first 30 s; after that the client id is the proof.
    auto issued_for = book_.DeploymentOf(left->session_id);
    if (!issued_for) return Failed(issued_for.error());
    if (*issued_for && **issued_for != deployment) {
        return Refuse(fact, deployment, "the session was not issued for this deployment");
    }
    if (auto cleared = book_.ClearConnection(left->session_id); !cleared) return Failed(cleared.error());
    GAPKIT_LOG_DEBUG("matchmaker", "session {} left deployment {}", left->session_id, deployment);
    return Accepted();
}

void ServerFacts::HandleAlive(const bus::Message& message) {
    const std::string fact(names::kAliveFact);
    auto deployment = names::DeploymentOfGameServerSubject(message.subject, fact);
    if (!deployment) {
        metrics_.CountFact(fact, protocol::ToString(Outcome::kRefused));
        Refuse(fact, "?", deployment.error().message());
        return;
    }
    Alive(*deployment, message.data);
}

int ServerFacts::Alive(const std::string& deployment, const std::string& payload) {
    const std::string fact(names::kAliveFact);
    auto alive = protocol::ParseAliveFact(payload);
    if (!alive) {
        metrics_.CountFact(fact, protocol::ToString(Outcome::kRefused));
        Refuse(fact, deployment, alive.error().message());
        return 0;
    }
    int refreshed = 0;
    for (const protocol::AliveEntry& entry : alive->sessions) {
        auto connected = book_.ConnectedClient(entry.session_id);
        Outcome outcome = Outcome::kRefused;
        if (!connected) {
            outcome = Failed(connected.error()).outcome;
        } else if (*connected && **connected == std::to_string(entry.client_id)) {
            auto seen = book_.RecordSeen(entry.session_id);
            outcome = seen ? Outcome::kAccepted : Failed(seen.error()).outcome;
        }
        // A player who left since the server's last look is no lie: refused pairs stay at debug.
        if (outcome == Outcome::kRefused) {
            GAPKIT_LOG_DEBUG("matchmaker", "alive from deployment {}: session {} is not client {}'s", deployment,
                             entry.session_id, entry.client_id);
        }
        refreshed += outcome == Outcome::kAccepted ? 1 : 0;
        metrics_.CountFact(fact, protocol::ToString(outcome));
    }
    return refreshed;
}

asio::awaitable<FactReply> ServerFacts::CertDigest(std::string deployment, std::string payload) {
    const std::string fact(names::kCertDigestFact);
    auto claim = protocol::ParseCertDigestFact(payload);
    if (!claim) co_return Refuse(fact, deployment, claim.error().message());
    CappedSlot slot(digest_checks_, kMaxDigestChecksInFlight);
    if (!slot) co_return FactReply{Outcome::kFailed, {}, "too many digest checks at once, try again"};
    auto status = co_await api_.GetDeploymentStatus(deployment);
    metrics_.CountEdgegapCall("get_deployment_status", status);
    if (!status) {
        // Edgegap answers 400 "Deployment ... not found" for an unknown request id.
        const auto category = edgegap::Details(status.error()).category;
        if (category == edgegap::ErrorCategory::kNotFound || category == edgegap::ErrorCategory::kGone ||
            category == edgegap::ErrorCategory::kBadRequest) {
            co_return Refuse(fact, deployment, "Edgegap knows no such live deployment");
        }
        co_return Failed(common::Error(common::ErrorCode::kUnavailable,
                                       fmt::format("Edgegap deployment status: {}", status.error().message())));
    }
    // Edgegap may not have published the ip yet; that is not a lie, so the server tries again.
    if (status->public_ip.empty()) co_return FactReply{Outcome::kFailed, {}, "the deployment has no public ip yet"};
    if (status->public_ip != claim->public_ip) {
        co_return Refuse(fact, deployment, fmt::format("{} is not the deployment's public ip", claim->public_ip));
    }
    // Keyed by deployment: the ip is only checked, since several deployments can share one.
    if (auto recorded = book_.RecordCertDigest(deployment, claim->digest); !recorded) {
        co_return Failed(recorded.error());
    }
    GAPKIT_LOG_INFO("matchmaker", "certificate digest of deployment {} ({}) recorded", deployment, claim->public_ip);
    co_return Accepted();
}

}  // namespace gapkit::matchmaker
