#include "reconciler.hpp"

#include <fmt/core.h>

#include "edgegap_wait.hpp"
#include "gapkit/bus/names.hpp"
#include "gapkit/common/log.hpp"
#include "seat.hpp"

namespace gapkit::matchmaker {
namespace {

using common::ErrorCode;

// A key that does not decode still names something the bus holds: it counts under its raw text,
// so a session is never deleted because its record's key was odd.
std::string SeatOfKey(std::string_view key) { return bus::names::DecodeIdToken(key).value_or(std::string(key)); }

// Every seat of a shared session accounts for the whole session.
std::string SessionOfSeat(const std::string& seat_id) { return ParseSeatId(seat_id).session_id; }

bool IsNotFound(const common::Error& error) {
    const auto category = edgegap::Details(error).category;
    return category == edgegap::ErrorCategory::kNotFound || category == edgegap::ErrorCategory::kGone;
}

std::int64_t SecondsBetween(common::Clock::SteadyTime from, common::Clock::SteadyTime to) {
    return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

}  // namespace

struct Reconciler::Records {
    std::set<std::string> accounted;               // Session ids with any record of any of their seats.
    std::map<std::string, std::string> unclaimed;  // Record key -> seat id (claim keys excluded).
    std::map<std::string, std::string> active;     // Entry key -> seat id.
};

Reconciler::Reconciler(const MatchmakerConfig& config, SessionBook& book, Cleanup& cleanup, edgegap::EdgegapApi& api,
                       boost::asio::any_io_executor executor, const common::Clock& clock, Metrics& metrics)
    : config_(config),
      book_(book),
      cleanup_(cleanup),
      api_(api),
      executor_(std::move(executor)),
      clock_(clock),
      metrics_(metrics),
      holder_(MakeHolderId()) {}

Reconciler::~Reconciler() { Stop(); }

const std::string& Reconciler::holder() const { return holder_; }

common::Status Reconciler::Start(bus::Connection& connection) {
    const int interval = config_.reconcile_interval_seconds;
    if (interval == 0) {
        GAPKIT_LOG_INFO("matchmaker", "reconciler off (--reconcile-interval 0)");
        return common::Ok();
    }
    auto lease = Lease::Open(connection, kReconcilerLeaseBucket, kReconcilerLeaseKey,
                             std::chrono::seconds(interval * kLeaseIntervals), holder_);
    if (!lease) return common::Fail(lease.error());
    lease_ = std::move(*lease);
    metrics_.SetReconcileLeader(false);
    GAPKIT_LOG_INFO("matchmaker", "reconciler every {} s, grace {} s, at most {} lookups per pass{} (holder {})",
                    interval, config_.reconcile_grace_seconds, config_.reconcile_max_lookups,
                    config_.reconcile_dry_run ? ", DRY RUN" : "", holder_);
    thread_ = std::thread([this] { Loop(); });
    return common::Ok();
}

void Reconciler::Stop() {
    {
        std::lock_guard lock(wake_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::lock_guard pass(pass_mutex_);
    if (!lease_ || !lease_->held()) return;
    lease_->Release();
    metrics_.SetReconcileLeader(false);
}

void Reconciler::Loop() {
    const auto interval = std::chrono::seconds(config_.reconcile_interval_seconds);
    while (true) {
        {
            std::unique_lock lock(wake_mutex_);
            if (wake_.wait_for(lock, interval, [this] { return stopping_.load(); })) return;
        }
        if (auto pass = RunOnce(); !pass) {
            GAPKIT_LOG_WARN("matchmaker", "reconciler pass failed: {}", pass.error().ToString());
        }
    }
}

common::Result<ReconcileReport> Reconciler::RunOnce() {
    std::lock_guard lock(pass_mutex_);
    if (!lease_) return common::MakeError(ErrorCode::kFailedPrecondition, "the reconciler is off");
    auto held = lease_->Acquire();
    metrics_.SetReconcileLeader(held && *held);
    if (!held) return common::Fail(held.error().WithContext("reconciler lease"));
    if (!*held) {
        GAPKIT_LOG_DEBUG("matchmaker", "reconciler: another matchmaker leads");
        return ReconcileReport{};
    }
    return TimedPass();
}

common::Result<ReconcileReport> Reconciler::RunOnceUnleased() {
    std::lock_guard lock(pass_mutex_);
    return TimedPass();
}

common::Result<ReconcileReport> Reconciler::TimedPass() {
    const auto started = std::chrono::steady_clock::now();
    auto report = Pass();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.ObserveReconcilePass(seconds);
    if (report) {
        GAPKIT_LOG_INFO("matchmaker",
                        "reconciler pass{}: {} sessions listed{}, {} unaccounted, {} orphans queued, {} records "
                        "removed, {} parked settled, {} lookups ({} deferred), {:.2f} s",
                        config_.reconcile_dry_run ? " (dry run)" : "", report->listed,
                        report->complete ? "" : " (list incomplete)", report->unaccounted, report->orphans,
                        report->records_removed, report->unparked, report->lookups, report->deferred, seconds);
    }
    return report;
}

common::Result<ReconcileReport> Reconciler::Pass() {
    ReconcileReport report;
    report.leader = true;
    lookups_left_ = config_.reconcile_max_lookups;
    std::map<std::string, std::string> listed;  // Session id -> deployment request id (maybe empty).
    auto complete = ListSessions(listed);
    if (!complete) return common::Fail(complete.error());
    report.complete = *complete;
    report.listed = static_cast<int>(listed.size());
    // Read after the list: a session created since is either recorded (accounted) or too young.
    auto records = ReadRecords();
    if (!records) return common::Fail(records.error());
    std::vector<std::string> orphans;
    for (const auto& [session_id, deployment] : listed) {
        if (stopping_) break;
        if (records->accounted.contains(session_id)) continue;
        ++report.unaccounted;
        if (JudgeSession(session_id, deployment, report)) orphans.push_back(session_id);
    }
    DeleteOrphans(orphans, report);
    if (report.complete) {
        RemoveStaleRecords(listed, *records, report);
        std::erase_if(known_, [&listed](const auto& entry) { return !listed.contains(entry.first); });
        std::set<std::string> deployments;
        for (const auto& [session_id, deployment] : listed) deployments.insert(deployment);
        std::erase_if(deployment_apps_,
                      [&deployments](const auto& entry) { return !deployments.contains(entry.first); });
    }
    if (!config_.reconcile_dry_run) {
        auto unparked = cleanup_.RetryParkedOnce();
        if (unparked) {
            report.unparked = *unparked;
        } else {
            GAPKIT_LOG_WARN("matchmaker", "reconciler: retrying parked deletions: {}", unparked.error().ToString());
        }
    }
    return report;
}

template <typename T>
common::Result<T> Reconciler::Call(std::string_view endpoint, edgegap::ApiTask<T> task) {
    auto result = WaitForEdgegap(executor_, std::move(task));
    metrics_.CountEdgegapCall(std::string(endpoint), result);
    return result;
}

common::Result<bool> Reconciler::ListSessions(std::map<std::string, std::string>& sessions) {
    for (int page = 1; page <= kMaxListPages && !stopping_; ++page) {
        auto listed = Call("list_sessions", api_.ListSessions(edgegap::ListOptions{page, kListPageSize}));
        if (!listed) {
            return common::MakeError(ErrorCode::kUnavailable, fmt::format("listing Edgegap sessions (page {}): {}",
                                                                          page, listed.error().ToString()));
        }
        for (const edgegap::Session& session : listed->items) {
            sessions.emplace(session.session_id, session.deployment_request_id);
        }
        if (!listed->has_next || listed->items.empty()) return true;
    }
    GAPKIT_LOG_WARN("matchmaker", "reconciler: more than {} sessions listed; the rest waits (no record removed)",
                    kMaxListPages * kListPageSize);
    return false;
}

common::Result<Reconciler::Records> Reconciler::ReadRecords() {
    Records records;
    // Unclaimed first, active second: a player's arrival writes active before it removes unclaimed.
    auto unclaimed = book_.unclaimed_sessions().Keys();
    if (!unclaimed) return common::Fail(unclaimed.error().WithContext("reconciler: unclaimed_sessions"));
    for (const std::string& key : *unclaimed) {
        std::string_view token = key;
        const bool claim = token.ends_with(kClaimSuffix);
        if (claim) token.remove_suffix(kClaimSuffix.size());
        const std::string seat_id = SeatOfKey(token);
        if (!claim) {
            records.accounted.insert(SessionOfSeat(seat_id));
            records.unclaimed.emplace(key, seat_id);
        } else if (!IsShared(ParseSeatId(seat_id))) {
            // A solo seat's claim means its whole session is being deleted. A shared seat's claim
            // removes one user only: players left in the session without a record are orphans.
            records.accounted.insert(seat_id);
        }
    }
    auto active = book_.active_connections().Keys();
    if (!active) return common::Fail(active.error().WithContext("reconciler: active_connections"));
    for (const std::string& key : *active) {
        const std::string seat_id = SeatOfKey(key);
        records.accounted.insert(SessionOfSeat(seat_id));
        records.active.emplace(key, seat_id);
    }
    auto parked = book_.ParkedIds();
    if (!parked) return common::Fail(parked.error().WithContext("reconciler: parked_deletions"));
    for (const std::string& seat_id : *parked) records.accounted.insert(SessionOfSeat(seat_id));
    return records;
}

bool Reconciler::JudgeSession(const std::string& session_id, const std::string& deployment, ReconcileReport& report) {
    auto found = known_.find(session_id);
    if (found == known_.end()) {
        if (lookups_left_ <= 0) {
            ++report.deferred;
            return false;
        }
        Known known = LookUp(session_id, deployment, report);
        // Only a confirmed app is remembered; anything else is looked up again next pass.
        if (known.verdict != Verdict::kOurs && known.verdict != Verdict::kForeign) return false;
        found = known_.emplace(session_id, std::move(known)).first;
    }
    const Known& known = found->second;
    return known.verdict == Verdict::kOurs &&
           SecondsBetween(known.created, clock_.Now()) >= config_.reconcile_grace_seconds;
}

Reconciler::Known Reconciler::LookUp(const std::string& session_id, const std::string& deployment,
                                     ReconcileReport& report) {
    --lookups_left_;
    ++report.lookups;
    Known known;
    auto session = Call("get_session", api_.GetSession(session_id));
    if (!session) {
        known.verdict = IsNotFound(session.error()) ? Verdict::kGone : Verdict::kFailed;
        if (known.verdict == Verdict::kFailed) {
            GAPKIT_LOG_WARN("matchmaker", "reconciler: looking up session {}: {}", session_id,
                            session.error().ToString());
            metrics_.CountReconcile("lookup_failed");
        }
        return known;
    }
    known.created = clock_.Now() - std::chrono::seconds(session->elapsed_seconds);
    const std::string& request_id =
        session->deployment_request_id.empty() ? deployment : session->deployment_request_id;
    const auto app = AppOfDeployment(request_id, report);
    if (!app) {
        GAPKIT_LOG_DEBUG("matchmaker", "reconciler: the app of session {} is not known yet", session_id);
        metrics_.CountReconcile("unlinked");
        known.verdict = Verdict::kUnlinked;
        return known;
    }
    known.app = fmt::format("{}/{}", app->first, app->second);
    const bool ours = app->first == config_.app_name && app->second == config_.app_version;
    known.verdict = ours ? Verdict::kOurs : Verdict::kForeign;
    if (!ours) {
        GAPKIT_LOG_DEBUG("matchmaker", "reconciler: session {} belongs to {}: left alone", session_id, known.app);
        metrics_.CountReconcile("foreign");
    }
    return known;
}

// A session's embedded deployment has no app name or version: only `GET /v1/status` tells them.
// Deployments hold several sessions, so each answer is kept while a listed session names it.
std::optional<std::pair<std::string, std::string>> Reconciler::AppOfDeployment(const std::string& request_id,
                                                                               ReconcileReport& report) {
    if (request_id.empty()) return std::nullopt;
    if (auto found = deployment_apps_.find(request_id); found != deployment_apps_.end()) return found->second;
    if (lookups_left_ <= 0) return std::nullopt;
    --lookups_left_;
    ++report.lookups;
    auto status = Call("get_deployment_status", api_.GetDeploymentStatus(request_id));
    if (!status || status->app_name.empty() || status->app_version.empty()) return std::nullopt;
    return deployment_apps_[request_id] = {status->app_name, status->app_version};
}

// A request may have recorded a session since the records were read: they are read once more
// before anything is queued (one read per pass with orphans, whatever their number: a shared
// session's seats have keys of their own, so no single key proves a session unrecorded). A bus
// failure counts as recorded, so a doubt never deletes.
void Reconciler::DeleteOrphans(const std::vector<std::string>& orphans, ReconcileReport& report) {
    if (orphans.empty()) return;
    auto records = ReadRecords();
    if (!records) {
        GAPKIT_LOG_WARN("matchmaker", "reconciler: reading the bus again before deleting {} orphans: {}",
                        orphans.size(), records.error().ToString());
        return;
    }
    for (const std::string& session_id : orphans) {
        if (!records->accounted.contains(session_id)) DeleteOrphan(session_id, known_.at(session_id), report);
    }
}

void Reconciler::DeleteOrphan(const std::string& session_id, const Known& known, ReconcileReport& report) {
    const std::string reason =
        fmt::format("{} session {} s old in no bus record", known.app, SecondsBetween(known.created, clock_.Now()));
    if (!Act("delete_orphan", session_id, reason, report)) {
        ++report.orphans;
        return;
    }
    // The session id is queued as a solo seat: the whole session goes, whoever was in it.
    auto queued = book_.EnqueueDelete(session_id, "reconciler: orphan");
    if (!queued) {
        GAPKIT_LOG_WARN("matchmaker", "reconciler: queueing the delete of session {}: {}", session_id,
                        queued.error().ToString());
        report.actions.back().reason += fmt::format("; not queued: {}", queued.error().ToString());
        return;
    }
    ++report.orphans;
}

void Reconciler::RemoveStaleRecords(const std::map<std::string, std::string>& listed, const Records& records,
                                    ReconcileReport& report) {
    const auto now = clock_.Now();
    std::set<std::string> unlisted;
    for (auto [bucket, keys] :
         {std::pair{&book_.unclaimed_sessions(), &records.unclaimed}, {&book_.active_connections(), &records.active}}) {
        for (const auto& [key, seat_id] : *keys) {
            const std::string session_id = SessionOfSeat(seat_id);
            if (listed.contains(session_id)) continue;
            const std::string tag = fmt::format("{}/{}", bucket->bucket(), key);
            unlisted.insert(tag);
            const auto since = missing_since_.try_emplace(tag, now).first->second;
            if (SecondsBetween(since, now) < config_.reconcile_grace_seconds || lookups_left_ <= 0) continue;
            --lookups_left_;
            ++report.lookups;
            // The list may have missed it (sessions created or deleted while paging shift the pages).
            auto session = Call("get_session", api_.GetSession(session_id));
            if (session || !IsNotFound(session.error())) continue;
            ++report.records_removed;
            if (!Act("remove_record", session_id,
                     fmt::format("{} record of seat {}, session gone at Edgegap", bucket->bucket(), seat_id), report))
                continue;
            if (auto deleted = bucket->Delete(key); !deleted) {
                GAPKIT_LOG_WARN("matchmaker", "reconciler: removing {}: {}", tag, deleted.error().ToString());
            }
        }
    }
    std::erase_if(missing_since_, [&unlisted](const auto& entry) { return !unlisted.contains(entry.first); });
}

bool Reconciler::Act(std::string_view action, const std::string& session_id, std::string_view reason,
                     ReconcileReport& report) {
    const bool dry_run = config_.reconcile_dry_run;
    report.actions.push_back({fmt::format("{}{}", dry_run ? "would_" : "", action), session_id, std::string(reason)});
    if (dry_run) {
        GAPKIT_LOG_INFO("matchmaker", "reconciler (dry run) would {} {}: {}", action, session_id, reason);
        metrics_.CountReconcile(fmt::format("would_{}", action));
        return false;
    }
    GAPKIT_LOG_INFO("matchmaker", "reconciler: {} {}: {}", action, session_id, reason);
    metrics_.CountReconcile(action);
    return true;
}

}  // namespace gapkit::matchmaker
