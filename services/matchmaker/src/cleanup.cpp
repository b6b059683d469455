#include "cleanup.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include "gapkit/bus/names.hpp"
#include "gapkit/common/log.hpp"

namespace gapkit::matchmaker {
namespace {

constexpr std::chrono::milliseconds kPollTimeout{250};  // Bounds how long Stop waits for each thread.
constexpr int kDeleteBatch = 16;
constexpr std::uint64_t kMaxDeleteDeliveries = 20;  // Then the item is dropped with an error log.

}  // namespace

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
    if (entry.operation == bus::KeyOperation::kPut) {
        GAPKIT_LOG_DEBUG("matchmaker", "session {} claimed by client {}", entry.key, entry.value);
        if (auto ok = book_.MarkClaimed(entry.key); !ok) {
            GAPKIT_LOG_WARN("matchmaker", "marking session {} claimed: {}", entry.key, ok.error().ToString());
        }
        return;
    }
    if (auto queued = book_.EnqueueDelete(entry.key, "player left"); !queued) {
        GAPKIT_LOG_WARN("matchmaker", "queueing the delete of session {}: {}", entry.key, queued.error().ToString());
    }
}

common::Result<int> Cleanup::ReapOnce() {
    auto reaped = book_.Reap(std::chrono::seconds(config_.UnclaimedMaxAgeSeconds()));
    if (reaped && *reaped > 0) metrics_.reaped.Increment(static_cast<std::uint64_t>(*reaped));
    return reaped;
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
    common::Status settled = common::Ok();
    if (deleted) {
        const bool gone = deleted->outcome == edgegap::StopOutcome::kAlreadyGone;
        GAPKIT_LOG_INFO("matchmaker", "session {} deleted ({})", session_id, edgegap::ToString(deleted->outcome));
        metrics_.CountDelete(gone ? "gone" : "deleted");
        settled = item.Ack();
    } else if (item.delivery_count() >= kMaxDeleteDeliveries) {
        GAPKIT_LOG_ERROR("matchmaker", "giving up deleting session {} after {} attempts: {}", session_id,
                         item.delivery_count(), deleted.error().ToString());
        metrics_.CountDelete("dropped");
        settled = item.Term();
    } else {
        GAPKIT_LOG_WARN("matchmaker", "deleting session {} failed, retrying in {} s: {}", session_id,
                        config_.delete_retry_seconds, deleted.error().ToString());
        metrics_.CountDelete("retried");
        settled = item.Nak(std::chrono::seconds(config_.delete_retry_seconds));
    }
    if (!settled) GAPKIT_LOG_WARN("matchmaker", "settling delete of {}: {}", session_id, settled.error().ToString());
}

edgegap::ApiResult<edgegap::StopResult> Cleanup::DeleteSession(const std::string& session_id) {
    edgegap::ApiResult<edgegap::StopResult> result;
    try {
        result = boost::asio::co_spawn(executor_, api_.DeleteSession(session_id), boost::asio::use_future).get();
    } catch (const std::exception& error) {
        // Only when the io_context was torn down under the call; the item is retried later.
        result = edgegap::MakeApiError(edgegap::ApiErrorCategory::kNetwork, 0, error.what());
    }
    metrics_.CountEdgegapCall("delete_session", result ? result->http_status : result.error().http_status);
    return result;
}

}  // namespace gapkit::matchmaker
