#include "session_book.hpp"

#include <charconv>

#include <fmt/core.h>

#include "gapkit/bus/names.hpp"
#include "gapkit/common/log.hpp"

namespace gapkit::matchmaker {
namespace {

using common::ErrorCode;
namespace names = bus::names;

std::string ClaimKey(std::string_view session_id) { return fmt::format("{}{}", session_id, kClaimSuffix); }

bool IsClaimKey(std::string_view key) { return key.ends_with(kClaimSuffix); }

// A missing key, a delete marker and an empty value all mean "nothing".
common::Result<std::optional<std::string>> ReadValue(bus::KeyValue& bucket, std::string_view key,
                                                     std::string_view bucket_name) {
    auto entry = bucket.Get(key);
    if (!entry) return common::Fail(entry.error().WithContext(std::string(bucket_name)));
    if (!entry->has_value() || (*entry)->value.empty()) return std::optional<std::string>();
    return std::optional<std::string>(std::move((*entry)->value));
}

common::Status Write(bus::KeyValue& bucket, std::string_view key, std::string_view value,
                     std::string_view bucket_name) {
    auto put = bucket.Put(key, value);
    if (!put) return common::Fail(put.error().WithContext(std::string(bucket_name)));
    return common::Ok();
}

}  // namespace

std::optional<std::uint64_t> ParseUnixSeconds(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

common::Result<std::unique_ptr<SessionBook>> SessionBook::Open(bus::Connection& connection,
                                                               const common::Clock& clock) {
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
          Binding{&book->active_, names::ActiveConnectionsConfig()}}) {
        auto bucket = connection.KeyValueBucket(config);
        if (!bucket) return common::Fail(bucket.error().WithContext(fmt::format("bucket {}", config.bucket)));
        *slot = std::move(*bucket);
    }
    auto queue = connection.WorkQueueStream(names::DeleteSessionQueueConfig());
    if (!queue) return common::Fail(queue.error().WithContext("delete-session queue"));
    book->delete_queue_ = std::move(*queue);
    return book;
}

common::Status SessionBook::RecordUnclaimed(std::string_view session_id) {
    auto put = unclaimed_->Put(session_id, std::to_string(clock_.UnixSeconds()));
    if (!put) return common::Fail(put.error().WithContext("unclaimed_sessions"));
    return common::Ok();
}

common::Status SessionBook::RecordMapping(std::string_view session_id, std::uint64_t client_id,
                                          std::string_view deployment) {
    const std::string client = std::to_string(client_id);
    if (auto ok = Write(*deployments_, session_id, deployment, names::kSessionDeploymentsBucket); !ok) return ok;
    if (auto ok = Write(*ly2eg_, client, session_id, names::kSessionsLy2EgBucket); !ok) return ok;
    return Write(*eg2ly_, session_id, client, names::kSessionsEg2LyBucket);
}

common::Result<std::optional<std::string>> SessionBook::SessionOfClient(std::uint64_t client_id) {
    return ReadValue(*ly2eg_, std::to_string(client_id), names::kSessionsLy2EgBucket);
}

common::Result<std::optional<std::string>> SessionBook::DeploymentOf(std::string_view session_id) {
    return ReadValue(*deployments_, session_id, names::kSessionDeploymentsBucket);
}

common::Status SessionBook::RecordConnection(std::string_view session_id, std::uint64_t client_id) {
    return Write(*active_, session_id, std::to_string(client_id), names::kActiveConnectionsBucket);
}

common::Result<std::optional<std::string>> SessionBook::ConnectedClient(std::string_view session_id) {
    return ReadValue(*active_, session_id, names::kActiveConnectionsBucket);
}

common::Status SessionBook::ClearConnection(std::string_view session_id) {
    if (auto deleted = active_->Delete(session_id); !deleted) {
        return common::Fail(deleted.error().WithContext(std::string(names::kActiveConnectionsBucket)));
    }
    return common::Ok();
}

common::Result<std::string> SessionBook::CertDigest(std::string_view public_ip) {
    auto digest = ReadValue(*cert_digests_, public_ip, names::kCertDigestsBucket);
    if (!digest) return common::Fail(digest.error());
    return digest->value_or(std::string());
}

common::Status SessionBook::RecordCertDigest(std::string_view public_ip, std::string_view digest) {
    return Write(*cert_digests_, public_ip, digest, names::kCertDigestsBucket);
}

common::Status SessionBook::MarkClaimed(std::string_view session_id) { return unclaimed_->Delete(session_id); }

common::Result<bool> SessionBook::EnqueueDelete(std::string_view session_id, std::string_view reason) {
    auto subject = names::DeleteSessionSubject(session_id);
    if (!subject) return common::Fail(subject.error());
    auto claim = unclaimed_->Create(ClaimKey(session_id), std::to_string(clock_.UnixSeconds()));
    if (!claim && claim.error().code() != ErrorCode::kAlreadyExists) return common::Fail(claim.error());
    if (claim) {
        if (auto sent = delete_queue_->Publish(*subject, session_id); !sent) {
            // Release the claim so that a later pass (a reaper, a peer) can enqueue it again.
            (void)unclaimed_->Delete(ClaimKey(session_id));
            return common::Fail(sent.error().WithContext("delete queue"));
        }
        GAPKIT_LOG_INFO("matchmaker", "session {} queued for deletion ({})", session_id, reason);
    }
    if (auto removed = unclaimed_->Delete(session_id); !removed) return common::Fail(removed.error());
    return claim.has_value();
}

common::Result<int> SessionBook::Reap(std::chrono::seconds max_age) {
    auto keys = unclaimed_->Keys();
    if (!keys) return common::Fail(keys.error().WithContext("unclaimed_sessions"));
    int reaped = 0;
    for (const std::string& key : *keys) {
        if (auto ok = ReapKey(key, max_age, reaped); !ok) {
            GAPKIT_LOG_WARN("matchmaker", "reaper: {}: {}", key, ok.error().ToString());
        }
    }
    return reaped;
}

common::Status SessionBook::ReapKey(const std::string& key, std::chrono::seconds max_age, int& reaped) {
    auto entry = unclaimed_->Get(key);
    if (!entry) return common::Fail(entry.error());
    if (!entry->has_value()) return common::Ok();  // Removed since the listing.
    const auto written = ParseUnixSeconds((*entry)->value);
    const std::uint64_t now = clock_.UnixSeconds();
    const bool claim = IsClaimKey(key);
    const auto limit = claim ? std::chrono::duration_cast<std::chrono::seconds>(kClaimLifetime) : max_age;
    // A value that does not parse cannot be aged; it is treated as expired so it cannot linger.
    if (written && now < *written + static_cast<std::uint64_t>(limit.count())) return common::Ok();
    if (claim) return unclaimed_->Delete(key);
    auto queued = EnqueueDelete(key, "unclaimed");
    if (!queued) return common::Fail(queued.error());
    reaped += *queued ? 1 : 0;
    return common::Ok();
}

}  // namespace gapkit::matchmaker
