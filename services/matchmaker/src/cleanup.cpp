#include "cleanup.hpp"

#include <algorithm>
#include <array>

#include <fmt/core.h>

#include "edgegap_wait.hpp"
#include "gapkit/bus/names.hpp"
#include "gapkit/common/log.hpp"
#include "seat.hpp"

namespace gapkit::matchmaker {
namespace {

constexpr std::chrono::milliseconds kPollTimeout{250};  // Bounds how long Stop waits for each thread.
constexpr int kDeleteBatch = 16;

// How a seat deletion is logged, and its `result` label in `sessions_deleted_total`.
struct DeletionNames {
    SeatDeletion deletion;
    std::string_view text;
    std::string_view label;
};
constexpr std::array<DeletionNames, 3> kDeletionNames = {{{SeatDeletion::kSessionDeleted, "deleted", "deleted"},
                                                          {SeatDeletion::kSeatRemoved, "seat removed", "seat_removed"},
                                                          {SeatDeletion::kAlreadyGone, "already gone", "gone"}}};

const DeletionNames& NamesOf(SeatDeletion deletion) {
    for (const DeletionNames& names : kDeletionNames) {
        if (names.deletion == deletion) return names;
    }
    return kDeletionNames.front();
}

}  // namespace

std::string_view ToString(SeatDeletion deletion) { return NamesOf(deletion).text; }

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
    const auto seat_id = bus::names::DecodeIdToken(entry.key);
    if (!seat_id) {
        GAPKIT_LOG_WARN("matchmaker", "active_connections: key {} is not an encoded seat id; ignored", entry.key);
        return;
    }
    if (entry.operation == bus::KeyOperation::kPut) {
        GAPKIT_LOG_DEBUG("matchmaker", "seat {} claimed by client {}", *seat_id, entry.value);
        if (auto ok = book_.MarkClaimed(*seat_id); !ok) {
            GAPKIT_LOG_WARN("matchmaker", "marking seat {} claimed: {}", *seat_id, ok.error().ToString());
        }
        return;
    }
    book_.EnqueueDeleteOrKeep(*seat_id, "player left");
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
    for (const std::string& seat_id : *parked) {
        auto deleted = DeleteSeat(seat_id);
        if (!deleted) {
            GAPKIT_LOG_WARN("matchmaker", "parked seat {} still not deleted: {}", seat_id, deleted.error().ToString());
            continue;
        }
        if (auto ok = book_.Unpark(seat_id); !ok) return common::Fail(ok.error());
        GAPKIT_LOG_INFO("matchmaker", "parked seat {} deleted ({})", seat_id, ToString(*deleted));
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
    const std::string& seat_id = item.data();
    auto deleted = DeleteSeat(seat_id);
    if (!deleted) return RetryOrPark(item, deleted.error());
    GAPKIT_LOG_INFO("matchmaker", "seat {} deleted ({})", seat_id, ToString(*deleted));
    metrics_.CountDelete(std::string(NamesOf(*deleted).label));
    if (auto acked = item.Ack(); !acked) {
        GAPKIT_LOG_WARN("matchmaker", "acking delete of {}: {}", seat_id, acked.error().ToString());
    }
}

// Never Term: an item leaves the queue only deleted, gone, or parked where the reconciler and
// /metrics see it. An unsettled item comes back after the consumer's ack wait.
void Cleanup::RetryOrPark(bus::WorkItem& item, const common::Error& error) {
    const std::string& seat_id = item.data();
    const std::uint64_t delivery = item.delivery_count();
    if (ShouldParkDelete(config_, delivery)) {
        auto parked = book_.Park(seat_id, error.message());
        if (parked && item.Ack()) {
            GAPKIT_LOG_ERROR("matchmaker", "deleting seat {} failed {} times; parked for the reconciler: {}", seat_id,
                             delivery, error.message());
            metrics_.CountDelete("parked");
            RefreshParkedGauge();
            return;
        }
        GAPKIT_LOG_WARN("matchmaker", "parking seat {} failed; it stays queued: {}", seat_id,
                        parked ? "ack failed" : parked.error().ToString());
    }
    const auto delay = DeleteRetryDelay(config_, delivery);
    GAPKIT_LOG_WARN("matchmaker", "deleting seat {} failed (try {}), retrying in {} s: {}", seat_id, delivery,
                    delay.count(), error.message());
    metrics_.CountDelete("retried");
    if (auto nak = item.Nak(delay); !nak) {
        GAPKIT_LOG_WARN("matchmaker", "nak of delete {}: {}", seat_id, nak.error().ToString());
    }
}

// A shared session holds its deployment's sockets for every user: the seat's IP is removed first,
// and the session itself only once nobody is left in it.
common::Result<SeatDeletion> Cleanup::DeleteSeat(const std::string& seat_id) {
    const Seat seat = ParseSeatId(seat_id);
    if (seat.session_id.empty()) {
        return common::MakeError(common::ErrorCode::kInvalidArgument, fmt::format("'{}' names no session", seat_id));
    }
    if (IsShared(seat)) {
        auto removed = WaitForEdgegap(executor_, api_.RemoveSessionUsers(seat.session_id, {seat.ip}));
        const int status =
            removed ? (removed->session_gone ? 404 : 200) : edgegap::Details(removed.error()).http_status;
        metrics_.CountEdgegapCall("remove_session_users", status);
        if (!removed) return common::Fail(removed.error());
        if (removed->session_gone) return SeatDeletion::kAlreadyGone;
        if (!removed->users.empty()) return SeatDeletion::kSeatRemoved;
    }
    auto deleted = WaitForEdgegap(executor_, api_.DeleteSession(seat.session_id));
    metrics_.CountEdgegapCall("delete_session",
                              deleted ? deleted->http_status : edgegap::Details(deleted.error()).http_status);
    if (!deleted) return common::Fail(deleted.error());
    return deleted->outcome == edgegap::StopOutcome::kAlreadyGone ? SeatDeletion::kAlreadyGone
                                                                  : SeatDeletion::kSessionDeleted;
}

}  // namespace gapkit::matchmaker
