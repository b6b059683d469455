#include "lease.hpp"

#include <unistd.h>

#include <array>
#include <random>

#include <fmt/core.h>

#include "gapkit/common/log.hpp"

namespace gapkit::matchmaker {

using common::ErrorCode;

common::Result<std::unique_ptr<Lease>> Lease::Open(bus::Connection& connection, std::string bucket, std::string key,
                                                   std::chrono::milliseconds ttl, std::string holder) {
    bus::KeyValueConfig config;
    config.bucket = std::move(bucket);
    config.description = "gapkit: who runs the reconciler";
    config.ttl = ttl;
    config.max_value_bytes = 256;
    auto kv = connection.KeyValueBucket(config);
    if (!kv) return common::Fail(kv.error().WithContext(fmt::format("lease bucket {}", config.bucket)));
    return std::unique_ptr<Lease>(new Lease(std::move(*kv), std::move(key), std::move(holder)));
}

common::Result<bool> Lease::Acquire() {
    if (revision_) {
        auto refreshed = Refresh(*revision_);
        // Expired or taken since our last write: compete for it as any other candidate.
        if (refreshed || refreshed.error().code() != ErrorCode::kFailedPrecondition) return refreshed;
    }
    auto created = bucket_->Create(key_, holder_);
    if (created) {
        revision_ = *created;
        return true;
    }
    if (created.error().code() != ErrorCode::kAlreadyExists) return common::Fail(created.error());
    // Our own earlier write whose answer was lost still names us: take it back through its revision.
    auto entry = bucket_->Get(key_);
    if (!entry) return common::Fail(entry.error());
    if (!entry->has_value() || (*entry)->value != holder_) return false;
    auto refreshed = Refresh((*entry)->revision);
    if (!refreshed && refreshed.error().code() == ErrorCode::kFailedPrecondition) return false;
    return refreshed;
}

// kFailedPrecondition when the key moved on since `revision`.
common::Result<bool> Lease::Refresh(std::uint64_t revision) {
    revision_.reset();
    auto updated = bucket_->Update(key_, holder_, revision);
    if (!updated) return common::Fail(updated.error());
    revision_ = *updated;
    return true;
}

void Lease::Release() {
    if (!revision_) return;
    revision_.reset();
    // Get-then-delete: a peer taking the key between the two loses it at once and takes it again at
    // its next Acquire; the lease's users tolerate that overlap (see the header).
    auto entry = bucket_->Get(key_);
    if (entry && entry->has_value() && (*entry)->value == holder_) {
        if (auto deleted = bucket_->Delete(key_); !deleted) {
            GAPKIT_LOG_WARN("matchmaker", "releasing lease {}: {}", key_, deleted.error().ToString());
        }
    } else if (!entry) {
        GAPKIT_LOG_WARN("matchmaker", "releasing lease {}: {}", key_, entry.error().ToString());
    }
}

std::string MakeHolderId() {
    std::array<char, 256> host{};
    if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
    std::random_device random;
    return fmt::format("{}-{}-{:08x}", host.data(), static_cast<long>(getpid()), random());
}

}  // namespace gapkit::matchmaker
