#include "request_mux.hpp"

#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include "gapkit/common/log.hpp"
#include "status.hpp"

namespace gapkit::bus {

using common::ErrorCode;
using common::MakeError;
using common::Status;
using Clock = std::chrono::steady_clock;

namespace {

// Replies of the mux are few per request, but a streamed reply may be long and every request of the
// connection shares this one subscription: no message limit, and a byte limit that bounds memory
// if the handlers fall behind (beyond it nats.c drops replies and their calls time out).
constexpr int kPendingMessagesLimit = -1;
constexpr int kPendingBytesLimit = 256 * 1024 * 1024;

}  // namespace

struct MuxEntry {
    MuxCall call;
    Clock::time_point overall_deadline;
    Clock::time_point scheduled;  // Its key in MuxState::deadlines: min(idle deadline, overall).
    std::mutex call_mutex;        // Held while a handler runs: one at a time per call.
    bool finished = false;        // Under call_mutex: no handler may run any more.
};

struct MuxState {
    natsConnection* connection = nullptr;
    std::string inbox_base;  // "<prefix>.<nuid>."; replies go to inbox_base + token.
    mutable std::mutex mutex;
    std::condition_variable timer_wake;
    std::condition_variable calls_done;
    std::unordered_map<std::uint64_t, std::shared_ptr<MuxEntry>> entries;
    std::set<std::pair<Clock::time_point, std::uint64_t>> deadlines;
    std::uint64_t next_token = 1;
    natsSubscription* sub = nullptr;  // Made on first use; released by the mux's destructor.
    bool timer_started = false;
    // When the timer thread wakes on its own next: a call whose deadline is later needs no wake-up.
    Clock::time_point timer_wakes_at = Clock::time_point::max();
    bool closed = false;
    int active_calls = 0;  // Handlers running now.

    void Unschedule(std::uint64_t token, const MuxEntry& entry) { deadlines.erase({entry.scheduled, token}); }
    void Schedule(std::uint64_t token, MuxEntry& entry, Clock::time_point at) {
        entry.scheduled = at;
        deadlines.insert({at, token});
    }
};

namespace {

// How often the timer thread wakes with no call pending (see RunTimer).
constexpr auto kIdleTimerWake = std::chrono::seconds(1);

thread_local const MuxState* calling_state = nullptr;  // The mux whose handler this thread runs.

// Runs `body` (a handler call) under the entry's call lock unless the mux closed or the call ended.
// Returns whether the call has ended. Never holds the state's lock while running `body`, and never
// takes it while holding the call lock (a handler may start requests, which takes the state's lock).
template <typename Body>
bool RunHandler(MuxState& state, MuxEntry& entry, Body&& body) {
    {
        std::lock_guard lock(state.mutex);
        if (state.closed) return true;
        ++state.active_calls;
    }
    bool finished = false;
    {
        std::lock_guard call_lock(entry.call_mutex);
        const MuxState* outer = std::exchange(calling_state, &state);
        try {
            if (!entry.finished) body();
        } catch (const std::exception& error) {
            entry.finished = true;
            GAPKIT_LOG_ERROR("bus", "request handler threw: {}", error.what());
        } catch (...) {
            entry.finished = true;
            GAPKIT_LOG_ERROR("bus", "request handler threw a non-standard exception");
        }
        calling_state = outer;
        finished = entry.finished;
    }
    std::lock_guard lock(state.mutex);
    if (--state.active_calls == 0 || state.closed) state.calls_done.notify_all();
    return finished;
}

std::uint64_t TokenOf(const char* subject) {
    const std::string_view text(subject != nullptr ? subject : "");
    const std::size_t dot = text.rfind('.');
    if (dot == std::string_view::npos) return 0;
    std::uint64_t token = 0;
    const auto [end, error] = std::from_chars(text.data() + dot + 1, text.data() + text.size(), token);
    return error == std::errc() && end == text.data() + text.size() ? token : 0;
}

bool EndsStream(natsMsg* msg) {
    return natsMsg_IsNoResponders(msg) || natsMsg_GetDataLength(msg) == 0 || IsLastPart(msg);
}

void OnReply(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    MsgPtr owned(msg);
    MuxState& state = **static_cast<std::shared_ptr<MuxState>*>(closure);
    const std::uint64_t token = TokenOf(natsMsg_GetSubject(msg));
    std::shared_ptr<MuxEntry> entry;
    bool last = false;
    {
        std::lock_guard lock(state.mutex);
        auto found = state.entries.find(token);
        if (state.closed || found == state.entries.end()) return;  // Late reply of an ended call.
        entry = found->second;
        state.Unschedule(token, *entry);
        last = !entry->call.stream || EndsStream(msg);
        if (last) {
            state.entries.erase(found);
        } else {
            // The idle deadline counts from this reply's arrival, not from when its handler ends.
            const auto idle = entry->call.idle_timeout.count() > 0 ? Clock::now() + entry->call.idle_timeout
                                                                   : entry->overall_deadline;
            state.Schedule(token, *entry, std::min(idle, entry->overall_deadline));
        }
    }
    const bool finished = RunHandler(state, *entry, [&] {
        const bool more = entry->call.on_reply(msg);
        if (last || !more) entry->finished = true;
    });
    if (last || !finished) return;
    std::lock_guard lock(state.mutex);
    auto found = state.entries.find(token);
    if (found != state.entries.end() && found->second == entry) {
        state.Unschedule(token, *entry);
        state.entries.erase(found);
    }
}

void OnSubscriptionComplete(void* closure) { delete static_cast<std::shared_ptr<MuxState>*>(closure); }

void RunTimer(const std::shared_ptr<MuxState>& state) {
    std::unique_lock lock(state->mutex);
    while (!state->closed) {
        const auto now = Clock::now();
        // Idle, the thread still wakes every kIdleTimerWake rather than never: a new call's deadline
        // (seconds away) is then later than the next wake, so Start need not wake the thread for
        // it. Under load, when every call ends within milliseconds, the set keeps emptying, and a
        // wake-up per call cost a context switch per call (issue 16).
        // A copy: wait_until reads its deadline while the lock is released and the set may change.
        const Clock::time_point next =
            state->deadlines.empty() ? now + kIdleTimerWake : state->deadlines.begin()->first;
        if (now < next) {
            state->timer_wakes_at = next;
            state->timer_wake.wait_until(lock, next);
            continue;
        }
        std::vector<std::pair<std::shared_ptr<MuxEntry>, bool>> expired;
        while (!state->deadlines.empty() && state->deadlines.begin()->first <= now) {
            const std::uint64_t token = state->deadlines.begin()->second;
            state->deadlines.erase(state->deadlines.begin());
            auto found = state->entries.find(token);
            if (found == state->entries.end()) continue;
            expired.emplace_back(found->second, found->second->overall_deadline <= now);
            state->entries.erase(found);
        }
        lock.unlock();
        for (auto& [entry, overall] : expired) {
            RunHandler(*state, *entry, [&entry = entry, overall = overall] {
                entry->finished = true;
                entry->call.on_timeout(overall);
            });
        }
        expired.clear();  // Handlers are destroyed here, without the lock.
        lock.lock();
    }
}

// Makes the wildcard subscription on first use. Called with the state's lock held.
Status SubscribeLocked(const std::shared_ptr<MuxState>& state) {
    if (state->sub != nullptr) return common::Ok();
    const std::string wildcard = state->inbox_base + "*";
    auto closure = std::make_unique<std::shared_ptr<MuxState>>(state);
    natsSubscription* raw = nullptr;
    auto subscribed =
        CheckNats(natsConnection_Subscribe(&raw, state->connection, wildcard.c_str(), OnReply, closure.get()),
                  fmt::format("subscribing to {}", wildcard));
    if (!subscribed) return subscribed;
    if (natsSubscription_SetOnCompleteCB(raw, OnSubscriptionComplete, closure.get()) != NATS_OK) {
        natsSubscription_Unsubscribe(raw);
        natsSubscription_Destroy(raw);
        closure.release();  // A delivery may be running; leaking one pointer beats a use-after-free.
        return MakeError(ErrorCode::kInternal, fmt::format("subscribing to {}: cannot set completion", wildcard));
    }
    closure.release();  // Owned by nats.c now; OnSubscriptionComplete frees it.
    (void)natsSubscription_SetPendingLimits(raw, kPendingMessagesLimit, kPendingBytesLimit);
    state->sub = raw;
    return common::Ok();
}

}  // namespace

common::Result<std::string> NewInbox(const std::string& prefix) {
    natsInbox* inbox = nullptr;
    if (natsInbox_Create(&inbox) != NATS_OK) return MakeError(ErrorCode::kInternal, "cannot create an inbox");
    const std::string_view made(inbox);
    std::string subject = prefix + std::string(made.substr(made.find('.')));
    natsInbox_Destroy(inbox);
    return subject;
}

RequestMux::RequestMux(natsConnection* connection, const std::string& inbox_prefix)
    : state_(std::make_shared<MuxState>()) {
    state_->connection = connection;
    if (auto inbox = NewInbox(inbox_prefix)) state_->inbox_base = *inbox + ".";  // Empty: Start fails.
}

RequestMux::~RequestMux() {
    std::unordered_map<std::uint64_t, std::shared_ptr<MuxEntry>> dropped;
    natsSubscription* sub = nullptr;
    {
        std::unique_lock lock(state_->mutex);
        state_->closed = true;
        dropped.swap(state_->entries);
        state_->deadlines.clear();
        sub = std::exchange(state_->sub, nullptr);
        state_->timer_wake.notify_all();
        const int own = calling_state == state_.get() ? 1 : 0;
        state_->calls_done.wait(lock, [&] { return state_->active_calls <= own; });
    }
    if (sub != nullptr) {
        natsSubscription_Unsubscribe(sub);
        natsSubscription_Destroy(sub);
    }
    if (timer_.joinable()) {
        if (timer_.get_id() == std::this_thread::get_id()) {
            timer_.detach();  // A timeout handler is destroying us; the loop sees `closed` and ends.
        } else {
            timer_.join();
        }
    }
}

Status RequestMux::Start(std::string_view subject, std::string_view data, MuxCall call, std::string_view action) {
    // A local owner: a handler on another thread may destroy this mux (its connection) as soon as the
    // request is out, and the rest of this call must not touch freed memory.
    const std::shared_ptr<MuxState> state = state_;
    auto entry = std::make_shared<MuxEntry>();
    const auto now = Clock::now();
    entry->overall_deadline = now + call.overall_timeout;
    const auto first = call.idle_timeout.count() > 0 ? std::min(now + call.idle_timeout, entry->overall_deadline)
                                                     : entry->overall_deadline;
    entry->call = std::move(call);
    std::uint64_t token = 0;
    std::string reply;
    {
        std::lock_guard lock(state->mutex);
        if (state->closed) return MakeError(ErrorCode::kUnavailable, fmt::format("{}: connection closed", action));
        if (state->inbox_base.empty())
            return MakeError(ErrorCode::kInternal, fmt::format("{}: no reply inbox", action));
        if (auto subscribed = SubscribeLocked(state); !subscribed) return subscribed;
        if (!state->timer_started) {
            try {
                timer_ = std::thread([state] { RunTimer(state); });
            } catch (const std::system_error& error) {
                return MakeError(ErrorCode::kResourceExhausted,
                                 fmt::format("{}: cannot start the request timer thread ({})", action, error.what()));
            }
            state->timer_started = true;
        }
        token = state->next_token++;
        state->entries.emplace(token, entry);
    }
    reply = fmt::format("{}{}", state->inbox_base, token);
    const std::string subject_text(subject);
    auto sent = CheckNats(natsConnection_PublishRequest(state->connection, subject_text.c_str(), reply.c_str(),
                                                        data.data(), static_cast<int>(data.size())),
                          action);
    std::lock_guard lock(state->mutex);
    auto found = state->entries.find(token);
    if (found == state->entries.end()) return sent;  // Already answered (or the mux closed).
    if (!sent) {
        state->entries.erase(found);  // Nothing was sent: no reply can come, no handler may run.
        return sent;
    }
    // Scheduled only once sent, so a timeout can never fire for a request that then fails to send;
    // a streamed part that came first has already scheduled the next idle deadline.
    if (entry->scheduled != Clock::time_point{}) return sent;
    state->Schedule(token, *entry, first);
    if (first < state->timer_wakes_at) state->timer_wake.notify_one();
    return sent;
}

std::string RequestMux::Wildcard() const {
    std::lock_guard lock(state_->mutex);
    return state_->sub != nullptr ? state_->inbox_base + "*" : std::string();
}

}  // namespace gapkit::bus
