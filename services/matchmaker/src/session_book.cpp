#include "session_book.hpp"

#include <algorithm>
#include <charconv>
#include <future>
#include <memory>
#include <mutex>

#include <fmt/core.h>

#include "gapkit/bus/names.hpp"
#include "gapkit/common/log.hpp"

namespace gapkit::matchmaker {
namespace {

using common::ErrorCode;
namespace names = bus::names;

// Every id from outside (an Edgegap session or request id, a seat id with its IP) becomes a key
// through EncodeIdToken, so that '.', ' ' or ':' in it cannot make a KV write fail and leak the
// session.
common::Result<std::string> Key(std::string_view id) { return names::EncodeIdToken(id); }

bool IsClaimKey(std::string_view key) { return key.ends_with(kClaimSuffix); }

// A missing key, a delete marker and an empty value all mean "nothing".
common::Result<std::optional<std::string>> ReadValue(bus::KeyValue& bucket, std::string_view id,
                                                     std::string_view bucket_name) {
    auto key = Key(id);
    if (!key) return common::Fail(key.error());
    auto entry = bucket.Get(*key);
    if (!entry) return common::Fail(entry.error().WithContext(std::string(bucket_name)));
    if (!entry->has_value() || (*entry)->value.empty()) return std::optional<std::string>();
    return std::optional<std::string>(std::move((*entry)->value));
}

common::Status Write(bus::KeyValue& bucket, std::string_view id, std::string_view value, std::string_view bucket_name) {
    auto key = Key(id);
    if (!key) return common::Fail(key.error());
    auto put = bucket.Put(*key, value);
    if (!put) return common::Fail(put.error().WithContext(std::string(bucket_name)));
    return common::Ok();
}

common::Status WriteAsync(bus::KeyValue& bucket, std::string_view id, std::string_view value,
                          std::string_view bucket_name, SessionBook::StatusDone done) {
    auto key = Key(id);
    if (!key) return common::Fail(key.error());
    return bucket.PutAsync(*key, value, [done = std::move(done), bucket_name](common::Result<std::uint64_t> put) {
        if (!put) return done(common::Fail(put.error().WithContext(std::string(bucket_name))));
        done(common::Ok());
    });
}

// Several asynchronous writes reported as one: the first failure, else Ok, once all have ended.
// A part that could not be sent counts as its failure at once.
class Joined {
  public:
    Joined(int parts, SessionBook::StatusDone done) : state_(std::make_shared<State>(parts, std::move(done))) {}

    SessionBook::StatusDone Part() const {
        return [state = state_](common::Status status) { state->End(std::move(status)); };
    }
    void Unsent(common::Status status) const { state_->End(std::move(status)); }

  private:
    struct State {
        State(int parts, SessionBook::StatusDone done_in) : left(parts), done(std::move(done_in)) {}
        void End(common::Status status) {
            std::unique_lock lock(mutex);
            if (!status && first_failure) first_failure = std::move(status);
            if (--left > 0) return;
            lock.unlock();
            done(std::move(first_failure));
        }
        std::mutex mutex;
        int left;
        common::Status first_failure;  // Ok until a part fails.
        SessionBook::StatusDone done;
    };
    std::shared_ptr<State> state_;
};

// Waits for an asynchronous call's report: the blocking forms of the `*Async` methods.
template <typename T, typename Start>
common::Result<T> Wait(Start start) {
    std::promise<common::Result<T>> promise;
    auto future = promise.get_future();
    auto sent = start([&promise](common::Result<T> result) { promise.set_value(std::move(result)); });
    if (!sent) return common::Fail(sent.error());
    return future.get();
}

common::Status Remove(bus::KeyValue& bucket, std::string_view id, std::string_view bucket_name) {
    auto key = Key(id);
    if (!key) return common::Fail(key.error());
    if (auto deleted = bucket.Delete(*key); !deleted) {
        return common::Fail(deleted.error().WithContext(std::string(bucket_name)));
    }
    return common::Ok();
}

}  // namespace

std::optional<std::uint64_t> ParseUnixSeconds(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

common::Result<std::unique_ptr<SessionBook>> SessionBook::Open(bus::Connection& connection, const common::Clock& clock,
                                                               std::chrono::seconds alive_ttl) {
    std::unique_ptr<SessionBook> book(new SessionBook(clock));
    struct Binding {
        std::unique_ptr<bus::KeyValue>* slot;
        bus::KeyValueConfig config;
    };
    for (auto& [slot, config] :
         {Binding{&book->unclaimed_, names::UnclaimedSessionsConfig()},
          Binding{&book->eg2ly_, names::SessionsEg2LyConfig()}, Binding{&book->ly2eg_, names::SessionsLy2EgConfig()},
          Binding{&book->deployments_, names::SessionDeploymentsConfig()},
          Binding{&book->cert_digests_, names::CertDigestsConfig()},
          Binding{&book->active_, names::ActiveConnectionsConfig()},
          Binding{&book->parked_, names::ParkedDeletionsConfig()}}) {
        auto bucket = connection.KeyValueBucket(config);
        if (!bucket) return common::Fail(bucket.error().WithContext(fmt::format("bucket {}", config.bucket)));
        *slot = std::move(*bucket);
    }
    if (alive_ttl.count() > 0) {
        auto seen = connection.KeyValueBucket(names::ConnectionsSeenConfig(alive_ttl));
        if (!seen)
            return common::Fail(seen.error().WithContext(fmt::format("bucket {}", names::kConnectionsSeenBucket)));
        book->seen_ = std::move(*seen);
        book->alive_ttl_ = alive_ttl;
    }
    auto queue = connection.WorkQueueStream(names::DeleteSessionQueueConfig());
    if (!queue) return common::Fail(queue.error().WithContext("delete-session queue"));
    book->delete_queue_ = std::move(*queue);
    return book;
}

common::Status SessionBook::RecordUnclaimed(std::string_view seat_id) {
    return Wait<void>([&](StatusDone done) { return RecordUnclaimedAsync(seat_id, std::move(done)); });
}

common::Status SessionBook::RecordUnclaimedAsync(std::string_view seat_id, StatusDone done) {
    return WriteAsync(*unclaimed_, seat_id, std::to_string(clock_.UnixSeconds()), names::kUnclaimedSessionsBucket,
                      std::move(done));
}

common::Status SessionBook::RecordMapping(std::string_view seat_id, std::uint64_t client_id,
                                          std::string_view deployment) {
    return Wait<void>(
        [&](StatusDone done) { return RecordMappingAsync(seat_id, client_id, deployment, std::move(done)); });
}

common::Status SessionBook::RecordMappingAsync(std::string_view seat_id, std::uint64_t client_id,
                                               std::string_view deployment, StatusDone done) {
    const std::string client = std::to_string(client_id);
    const Joined joined(3, std::move(done));
    // Until the first write is sent nothing is owed; from then on `done` is, so a later write that
    // cannot be sent reports through the join.
    auto sent = WriteAsync(*deployments_, seat_id, deployment, names::kSessionDeploymentsBucket, joined.Part());
    if (!sent) return sent;
    if (sent = WriteAsync(*ly2eg_, client, seat_id, names::kSessionsLy2EgBucket, joined.Part()); !sent) {
        joined.Unsent(std::move(sent));
    }
    if (sent = WriteAsync(*eg2ly_, seat_id, client, names::kSessionsEg2LyBucket, joined.Part()); !sent) {
        joined.Unsent(std::move(sent));
    }
    return common::Ok();
}

common::Result<std::optional<std::string>> SessionBook::SessionOfClient(std::uint64_t client_id) {
    return ReadValue(*ly2eg_, std::to_string(client_id), names::kSessionsLy2EgBucket);
}

common::Result<std::optional<std::string>> SessionBook::DeploymentOf(std::string_view session_id) {
    return ReadValue(*deployments_, session_id, names::kSessionDeploymentsBucket);
}

common::Status SessionBook::RecordConnection(std::string_view session_id, std::uint64_t client_id) {
    if (auto seen = RecordSeen(session_id); !seen) return seen;
    return Write(*active_, session_id, std::to_string(client_id), names::kActiveConnectionsBucket);
}

common::Result<std::optional<std::string>> SessionBook::ConnectedClient(std::string_view session_id) {
    return ReadValue(*active_, session_id, names::kActiveConnectionsBucket);
}

common::Status SessionBook::ClearConnection(std::string_view session_id) {
    return Remove(*active_, session_id, names::kActiveConnectionsBucket);
}

common::Status SessionBook::RecordSeen(std::string_view session_id) {
    if (!seen_) return common::Ok();
    return Write(*seen_, session_id, std::to_string(clock_.UnixSeconds()), names::kConnectionsSeenBucket);
}

common::Result<int> SessionBook::SweepUnseen() {
    if (!seen_) return 0;
    auto active = active_->Entries();
    if (!active) return common::Fail(active.error().WithContext(std::string(names::kActiveConnectionsBucket)));
    if (active->empty()) return 0;
    auto seen = seen_->Entries();
    if (!seen) return common::Fail(seen.error().WithContext(std::string(names::kConnectionsSeenBucket)));
    std::map<std::string, std::string> seen_at;
    for (bus::KeyEntry& entry : *seen) seen_at.emplace(std::move(entry.key), std::move(entry.value));
    int swept = 0;
    for (const bus::KeyEntry& entry : *active) {
        const auto found = seen_at.find(entry.key);
        const std::optional<std::string> last_seen =
            found == seen_at.end() ? std::nullopt : std::optional<std::string>(found->second);
        if (auto ok = SweepKey(entry.key, last_seen, swept); !ok) {
            GAPKIT_LOG_WARN("matchmaker", "liveness sweep: {}: {}", entry.key, ok.error().ToString());
        }
    }
    return swept;
}

// The session's delete is queued before the entry goes, with its own reason: the watcher's
// "player left" for the same session then finds the claim taken and adds nothing. If removing the
// entry fails, the next pass finds it again and only retries the removal.
common::Status SessionBook::SweepKey(const std::string& key, const std::optional<std::string>& seen, int& swept) {
    // A record past the bucket's TTL is still read until nats-server's expiry timer removes it (the
    // fault harness, scenario 6, once saw a killed server's last two players never swept): the time
    // the record holds decides, as in ReapEntry; the TTL only keeps the bucket small.
    const auto written = seen ? ParseUnixSeconds(*seen) : std::nullopt;
    if (written && clock_.UnixSeconds() < *written + static_cast<std::uint64_t>(alive_ttl_.count())) {
        return common::Ok();
    }
    auto session_id = names::DecodeIdToken(key);
    if (!session_id) return MakeError(ErrorCode::kInvalidArgument, "not an encoded session id; left in place");
    if (!EnqueueDeleteOrKeep(*session_id, "server gone")) return common::Ok();  // Kept; retried by the reaper.
    if (auto removed = active_->Delete(key); !removed) return removed;
    GAPKIT_LOG_INFO("matchmaker", "session {}: its game server stopped stating the player; counted as left",
                    *session_id);
    ++swept;
    return common::Ok();
}

common::Result<std::string> SessionBook::CertDigest(std::string_view deployment) {
    return Wait<std::string>([&](TextDone done) { return CertDigestAsync(deployment, std::move(done)); });
}

common::Status SessionBook::CertDigestAsync(std::string_view deployment, TextDone done) {
    auto key = Key(deployment);
    if (!key) return common::Fail(key.error());
    return cert_digests_->GetAsync(*key, [done = std::move(done)](common::Result<std::optional<bus::KeyEntry>> entry) {
        if (!entry) return done(common::Fail(entry.error().WithContext(std::string(names::kCertDigestsBucket))));
        done(entry->has_value() ? std::move((*entry)->value) : std::string());
    });
}

common::Status SessionBook::RecordCertDigest(std::string_view deployment, std::string_view digest) {
    return Write(*cert_digests_, deployment, digest, names::kCertDigestsBucket);
}

common::Status SessionBook::MarkClaimed(std::string_view session_id) {
    return Remove(*unclaimed_, session_id, names::kUnclaimedSessionsBucket);
}

common::Result<bool> SessionBook::EnqueueDelete(std::string_view session_id, std::string_view reason) {
    return Enqueue(session_id, reason, /*even_if_claimed=*/false);
}

common::Result<bool> SessionBook::Enqueue(std::string_view session_id, std::string_view reason, bool even_if_claimed) {
    auto token = Key(session_id);
    if (!token) return common::Fail(token.error());
    auto subject = names::DeleteSessionSubject(*token);
    if (!subject) return common::Fail(subject.error());
    const std::string claim_key = fmt::format("{}{}", *token, kClaimSuffix);
    const std::string now = std::to_string(clock_.UnixSeconds());
    auto claim = even_if_claimed ? unclaimed_->Put(claim_key, now) : unclaimed_->Create(claim_key, now);
    if (!claim && claim.error().code() != ErrorCode::kAlreadyExists) return common::Fail(claim.error());
    if (claim) {
        // The payload stays the plain id: the worker deletes exactly what Edgegap named.
        if (auto sent = delete_queue_->Publish(*subject, session_id); !sent) {
            // Release the claim so that a later pass (a reaper, a peer) can enqueue it again.
            (void)unclaimed_->Delete(claim_key);
            return common::Fail(sent.error().WithContext("delete queue"));
        }
        GAPKIT_LOG_INFO("matchmaker", "session {} queued for deletion ({})", session_id, reason);
    }
    if (auto removed = unclaimed_->Delete(*token); !removed) return common::Fail(removed.error());
    return claim.has_value();
}

bool SessionBook::EnqueueDeleteOrKeep(std::string_view session_id, std::string_view reason) {
    auto queued = EnqueueDelete(session_id, reason);
    if (queued) return true;
    // An id with no key can never be enqueued; keeping it would only retry forever.
    const bool retriable = queued.error().code() != ErrorCode::kInvalidArgument;
    std::lock_guard lock(kept_mutex_);
    if (!retriable || kept_.size() >= kMaxKeptDeletes) {
        GAPKIT_LOG_ERROR("matchmaker", "session {} could not be queued for deletion and is not retried here: {}",
                         session_id, queued.error().ToString());
        return false;
    }
    kept_.emplace(std::string(session_id), std::string(reason));
    GAPKIT_LOG_WARN("matchmaker", "session {} could not be queued for deletion, kept for retry: {}", session_id,
                    queued.error().ToString());
    return false;
}

std::size_t SessionBook::RetryKeptDeletes() {
    std::map<std::string, std::string> kept;
    {
        std::lock_guard lock(kept_mutex_);
        kept.swap(kept_);
    }
    // Retried without the lock: each is a bus round trip, and requests may keep more meanwhile.
    // The first failure ends the pass: the bus is most likely still down, and each try waits.
    // The claim is taken even if it exists: the failed try's claim may have reached the server
    // after its publish failed (nats.c resends buffered requests on reconnect), and a second
    // delete item costs one DELETE answered 404, where a missing one leaks the session.
    for (auto it = kept.begin(); it != kept.end() && Enqueue(it->first, it->second, /*even_if_claimed=*/true);) {
        it = kept.erase(it);
    }
    std::lock_guard lock(kept_mutex_);
    kept_.merge(kept);
    return kept_.size();
}

std::size_t SessionBook::kept_deletes() const {
    std::lock_guard lock(kept_mutex_);
    return kept_.size();
}

common::Status SessionBook::Park(std::string_view session_id, std::string_view reason) {
    const std::string value =
        fmt::format("{} {}", clock_.UnixSeconds(), reason.substr(0, std::min(reason.size(), kMaxParkReasonBytes)));
    return Write(*parked_, session_id, value, names::kParkedDeletionsBucket);
}

common::Status SessionBook::Unpark(std::string_view session_id) {
    return Remove(*parked_, session_id, names::kParkedDeletionsBucket);
}

common::Result<std::vector<std::string>> SessionBook::ParkedIds() {
    auto keys = parked_->Keys();
    if (!keys) return common::Fail(keys.error().WithContext(std::string(names::kParkedDeletionsBucket)));
    std::vector<std::string> ids;
    ids.reserve(keys->size());
    for (const std::string& key : *keys) {
        if (auto id = names::DecodeIdToken(key)) {
            ids.push_back(std::move(*id));
        } else {
            GAPKIT_LOG_WARN("matchmaker", "{}: key {} is not an encoded session id; skipped",
                            names::kParkedDeletionsBucket, key);
        }
    }
    return ids;
}

common::Result<int> SessionBook::Reap(std::chrono::seconds max_age) {
    auto entries = unclaimed_->Entries();
    if (!entries) return common::Fail(entries.error().WithContext("unclaimed_sessions"));
    int reaped = 0;
    for (const bus::KeyEntry& entry : *entries) {
        if (auto ok = ReapEntry(entry, max_age, reaped); !ok) {
            GAPKIT_LOG_WARN("matchmaker", "reaper: {}: {}", entry.key, ok.error().ToString());
        }
    }
    return reaped;
}

// The value is as the pass read it. A rewrite since (the token's issue) cannot save a seat the
// pass finds too old: a token is issued within the readiness timeout, which `max_age` exceeds, and
// a player cannot arrive on a token that expired long before `max_age`.
common::Status SessionBook::ReapEntry(const bus::KeyEntry& entry, std::chrono::seconds max_age, int& reaped) {
    const std::string& key = entry.key;
    const auto written = ParseUnixSeconds(entry.value);
    const std::uint64_t now = clock_.UnixSeconds();
    const bool claim = IsClaimKey(key);
    const auto limit = claim ? std::chrono::duration_cast<std::chrono::seconds>(kClaimLifetime) : max_age;
    // A value that does not parse cannot be aged; it is treated as expired so it cannot linger.
    if (written && now < *written + static_cast<std::uint64_t>(limit.count())) return common::Ok();
    if (claim) return unclaimed_->Delete(key);
    auto session_id = names::DecodeIdToken(key);
    if (!session_id) return MakeError(ErrorCode::kInvalidArgument, "not an encoded session id; left in place");
    auto queued = EnqueueDelete(*session_id, "unclaimed");
    if (!queued) return common::Fail(queued.error());
    reaped += *queued ? 1 : 0;
    return common::Ok();
}

}  // namespace gapkit::matchmaker
