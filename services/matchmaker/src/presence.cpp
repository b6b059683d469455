#include "presence.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "gapkit/common/log.hpp"

namespace gapkit::matchmaker {

std::string SerializePresence(const PresenceInfo& info) {
    boost::json::object object;
    object["id"] = info.id;
    object["app"] = info.app;
    object["version"] = info.version;
    object["host"] = info.host;
    object["pid"] = info.pid;
    object["started_unix"] = info.started_unix;
    return boost::json::serialize(object);
}

PresenceInfo WithThisProcess(PresenceInfo info) {
    std::array<char, 256> host{};
    if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
    info.host = host.data();
    info.pid = static_cast<std::int64_t>(getpid());
    return info;
}

common::Result<std::unique_ptr<Presence>> Presence::Start(bus::Connection& connection, PresenceInfo info,
                                                          std::chrono::milliseconds interval,
                                                          LiveCountHandler on_count) {
    auto key = bus::names::EncodeIdToken(info.id);
    if (!key) return common::Fail(key.error().WithContext("presence key"));
    auto bucket = connection.KeyValueBucket(bus::names::MatchmakersConfig());
    if (!bucket) return common::Fail(bucket.error().WithContext("bucket matchmakers"));
    std::unique_ptr<Presence> presence(
        new Presence(std::move(*bucket), std::move(*key), SerializePresence(info), interval, std::move(on_count)));
    presence->Beat();
    presence->thread_ = std::thread([p = presence.get()] { p->Loop(); });
    GAPKIT_LOG_INFO("matchmaker", "presence: beating as {} in bucket {} every {} ms", presence->key_,
                    bus::names::kMatchmakersBucket, interval.count());
    return presence;
}

Presence::Presence(std::unique_ptr<bus::KeyValue> bucket, std::string key, std::string value,
                   std::chrono::milliseconds interval, LiveCountHandler on_count)
    : bucket_(std::move(bucket)),
      key_(std::move(key)),
      value_(std::move(value)),
      interval_(interval),
      on_count_(std::move(on_count)) {}

Presence::~Presence() { Stop(); }

void Presence::Beat() {
    auto put = bucket_->Put(key_, value_);
    if (!put && !failing_) {
        GAPKIT_LOG_WARN("matchmaker", "presence beat failed (retried every {} ms): {}", interval_.count(),
                        put.error().ToString());
    } else if (put && failing_) {
        GAPKIT_LOG_INFO("matchmaker", "presence beats again");
    }
    failing_ = !put;
    if (put) Count();
}

// Counted after this one's own put, so the count includes it; a failed listing keeps the last
// count rather than guessing (a count too low would overspend the organization's budget).
void Presence::Count() {
    auto keys = bucket_->Keys();
    if (!keys) {
        GAPKIT_LOG_DEBUG("matchmaker", "presence: counting matchmakers: {}", keys.error().ToString());
        return;
    }
    const int live = std::max(static_cast<int>(keys->size()), 1);
    live_matchmakers_.store(live);
    if (on_count_) on_count_(live);
}

void Presence::Loop() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
        lock.unlock();
        Beat();
        lock.lock();
    }
}

void Presence::Stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    // A peer counting matchmakers sees this one gone now rather than after the TTL.
    if (auto deleted = bucket_->Delete(key_); !deleted) {
        GAPKIT_LOG_WARN("matchmaker", "presence: deleting {}: {}", key_, deleted.error().ToString());
    }
}

}  // namespace gapkit::matchmaker
