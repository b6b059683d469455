#include "cleanup.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include "gapkit/bus/names.hpp"
#include "gapkit/common/log.hpp"

namespace gapkit::matchmaker {
namespace {

constexpr std::chrono::milliseconds kPollTimeout{250};  // Bounds how long Stop waits for each thread.
constexpr int kDeleteBatch = 16;

}  // namespace

std::chrono::seconds DeleteRetryDelay(const MatchmakerConfig& config, std::uint64_t delivery) {
    std::int64_t delay = config.delete_retry_seconds;
    for (std::uint64_t n = 1; n < delivery && delay < config.delete_retry_max_seconds; ++n) delay *= 2;
    return std::chrono::seconds(std::min<std::int64_t>(delay, config.delete_retry_max_seconds));
}

bool ShouldParkDelete(const MatchmakerConfig& config, std::uint64_t delivery) {
    std::int64_t failing_seconds = 0;
    // Ends after at most delete_park_after_seconds / delete_retry_seconds steps, whatever `delivery`.
    for (std::uint64_t n = 1; n < delivery; ++n) {
        failing_seconds += DeleteRetryDelay(config, n).count();
        if (failing_seconds >= config.delete_park_after_seconds) return true;
    }
    return false;
}

Cleanup::Cleanup(const MatchmakerConfig& config, SessionBook& book, edgegap::EdgegapApi& api,
                 boost::asio::any_io_executor executor, Metrics& metrics)
    : config_(config), book_(book), api_(api), executor_(std::move(executor)), metrics_(metrics) {}

Cleanup::~Cleanup() { Stop(); }

common::Status Cleanup::Start() {
    auto watcher = book_.active_connections().Watch(">");
    if (!watcher) return common::Fail(watcher.error().WithContext("watch active_connections"));
    auto consumer = book_.delete_queue().Consumer(kDeleteWorkerDurable, bus::names::kDeleteSessionSubjects,
                                                  std::chrono::seconds(60));
    if (!consumer) return common::Fail(consumer.error().WithContext("delete-queue consumer"));
    watcher_ = std::thread([this, w = std::move(*watcher)]() mutable { WatchLoop(std::move(w)); });
    reaper_ = std::thread([this] { ReapLoop(); });
    worker_ = std::thread([this, c = std::move(*consumer)]() mutable { DeleteLoop(std::move(c)); });
    return common::Ok();
}

void Cleanup::Stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread* thread : {&watcher_, &reaper_, &worker_}) {
        if (thread->joinable()) thread->join();
    }
}

bool Cleanup::SleepUnlessStopped(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, delay, [this] { return stopping_.load(); });
}

void Cleanup::WatchLoop(bus::KeyWatcher watcher) {
    while (!stopping_) {
        auto entry = watcher.Next(kPollTimeout);
        if (!entry) {
            GAPKIT_LOG_WARN("matchmaker", "active_connections watch: {}", entry.error().ToString());
            SleepUnlessStopped(std::chrono::seconds(1));
        } else if (entry->has_value()) {
            HandleConnectionEvent(**entry);
        }
    }
}

void Cleanup::HandleConnectionEvent(const bus::KeyEntry& entry) {
    const auto session_id = bus::names::DecodeIdToken(entry.key);
    if (!session_id) {
        GAPKIT_LOG_WARN("matchmaker", "active_connections: key {} is not an encoded session id; ignored", entry.key);
        return;
    }
    if (entry.operation == bus::KeyOperation::kPut) {
        GAPKIT_LOG_DEBUG("matchmaker", "session {} claimed by client {}", *session_id, entry.value);
        if (auto ok = book_.MarkClaimed(*session_id); !ok) {
            GAPKIT_LOG_WARN("matchmaker", "marking session {} claimed: {}", *session_id, ok.error().ToString());
        }
        return;
    }
    book_.EnqueueDeleteOrKeep(*session_id, "player left");
}

common::Result<int> Cleanup::ReapOnce() {
    if (const std::size_t kept = book_.RetryKeptDeletes(); kept > 0) {
        GAPKIT_LOG_WARN("matchmaker", "{} session deletions still wait for the bus", kept);
    }
    RefreshParkedGauge();
    auto swept = book_.SweepUnseen();
    if (!swept) GAPKIT_LOG_WARN("matchmaker", "liveness sweep failed: {}", swept.error().ToString());
    if (swept && *swept > 0) metrics_.swept.Increment(static_cast<std::uint64_t>(*swept));
    auto reaped = book_.Reap(std::chrono::seconds(config_.UnclaimedMaxAgeSeconds()));
    if (reaped && *reaped > 0) metrics_.reaped.Increment(static_cast<std::uint64_t>(*reaped));
    if (reaped && swept) *reaped += *swept;
    return reaped;
}

void Cleanup::RefreshParkedGauge() {
    auto parked = book_.ParkedIds();
    if (!parked) {
        GAPKIT_LOG_WARN("matchmaker", "listing parked deletions: {}", parked.error().ToString());
        return;
    }
    metrics_.parked.Set(static_cast<std::int64_t>(parked->size()));
}

common::Result<int> Cleanup::RetryParkedOnce() {
    auto parked = book_.ParkedIds();
    if (!parked) return common::Fail(parked.error());
    int unparked = 0;
    for (const std::string& session_id : *parked) {
        auto deleted = DeleteSession(session_id);
        if (!deleted) {
            GAPKIT_LOG_WARN("matchmaker", "parked session {} still not deleted: {}", session_id,
                            deleted.error().ToString());
            continue;
        }
        if (auto ok = book_.Unpark(session_id); !ok) return common::Fail(ok.error());
        GAPKIT_LOG_INFO("matchmaker", "parked session {} deleted ({})", session_id,
                        edgegap::ToString(deleted->outcome));
        metrics_.CountDelete("unparked");
        ++unparked;
    }
    RefreshParkedGauge();
    return unparked;
}

void Cleanup::ReapLoop() {
    while (SleepUnlessStopped(std::chrono::seconds(config_.reaper_interval_seconds))) {
        if (auto reaped = ReapOnce(); !reaped) {
            GAPKIT_LOG_WARN("matchmaker", "reaper pass failed: {}", reaped.error().ToString());
        }
    }
}

void Cleanup::DeleteLoop(std::unique_ptr<bus::WorkConsumer> consumer) {
    while (!stopping_) {
        auto items = consumer->Fetch(kDeleteBatch, kPollTimeout);
        if (!items) {
            GAPKIT_LOG_WARN("matchmaker", "delete queue fetch: {}", items.error().ToString());
            SleepUnlessStopped(std::chrono::seconds(1));
            continue;
        }
        for (bus::WorkItem& item : *items) HandleDeleteItem(item);
    }
}

void Cleanup::HandleDeleteItem(bus::WorkItem& item) {
    const std::string& session_id = item.data();
    auto deleted = DeleteSession(session_id);
    if (!deleted) return RetryOrPark(item, deleted.error());
    const bool gone = deleted->outcome == edgegap::StopOutcome::kAlreadyGone;
    GAPKIT_LOG_INFO("matchmaker", "session {} deleted ({})", session_id, edgegap::ToString(deleted->outcome));
    metrics_.CountDelete(gone ? "gone" : "deleted");
    if (auto acked = item.Ack(); !acked) {
        GAPKIT_LOG_WARN("matchmaker", "acking delete of {}: {}", session_id, acked.error().ToString());
    }
}

// Never Term: an item leaves the queue only deleted, gone, or parked where the reconciler and
// /metrics see it. An unsettled item comes back after the consumer's ack wait.
void Cleanup::RetryOrPark(bus::WorkItem& item, const common::Error& error) {
    const std::string& session_id = item.data();
    const std::uint64_t delivery = item.delivery_count();
    if (ShouldParkDelete(config_, delivery)) {
        auto parked = book_.Park(session_id, error.message());
        if (parked && item.Ack()) {
            GAPKIT_LOG_ERROR("matchmaker", "deleting session {} failed {} times; parked for the reconciler: {}",
                             session_id, delivery, error.message());
            metrics_.CountDelete("parked");
            RefreshParkedGauge();
            return;
        }
        GAPKIT_LOG_WARN("matchmaker", "parking session {} failed; it stays queued: {}", session_id,
                        parked ? "ack failed" : parked.error().ToString());
    }
    const auto delay = DeleteRetryDelay(config_, delivery);
    GAPKIT_LOG_WARN("matchmaker", "deleting session {} failed (try {}), retrying in {} s: {}", session_id, delivery,
                    delay.count(), error.message());
    metrics_.CountDelete("retried");
    if (auto nak = item.Nak(delay); !nak) {
        GAPKIT_LOG_WARN("matchmaker", "nak of delete {}: {}", session_id, nak.error().ToString());
    }
}

common::Result<edgegap::StopResult> Cleanup::DeleteSession(const std::string& session_id) {
    common::Result<edgegap::StopResult> result;
    try {
        result = boost::asio::co_spawn(executor_, api_.DeleteSession(session_id), boost::asio::use_future).get();
    } catch (const std::exception& error) {
        // Only when the io_context was torn down under the call; the item is retried later.
        result = edgegap::MakeError(edgegap::ErrorCategory::kNetwork, 0, error.what());
    }
    metrics_.CountEdgegapCall("delete_session",
                              result ? result->http_status : edgegap::Details(result.error()).http_status);
    return result;
}

}  // namespace gapkit::matchmaker
