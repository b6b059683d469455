#include "gapkit/bus/key_value.hpp"

#include <fmt/core.h>

#include "connection_core.hpp"
#include "gapkit/bus/connection.hpp"
#include "gapkit/common/log.hpp"
#include "key_value_impl.hpp"
#include "replicas.hpp"
#include "status.hpp"

namespace gapkit::bus {

using common::ErrorCode;
using common::MakeError;
using common::Result;
using common::Status;

struct KeyWatcher::Impl {
    std::shared_ptr<ConnectionCore> core;
    KvWatcherPtr watcher;
    std::string bucket;
    bool caught_up = false;
};

namespace {

constexpr std::int64_t kKeysTimeoutMs = 5000;

std::int64_t ToNanos(std::chrono::milliseconds duration) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
}

Status Validate(const KeyValueConfig& config) {
    if (config.bucket.empty()) return MakeError(ErrorCode::kInvalidArgument, "key-value bucket: empty name");
    if (config.history < 1 || config.history > 64) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("bucket {}: history {} is outside 1..64", config.bucket, config.history));
    }
    if (config.replicas < 0 || config.replicas > 5) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("bucket {}: replicas {} is outside 0 (auto)..5", config.bucket, config.replicas));
    }
    if (config.ttl.count() < 0) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("bucket {}: negative TTL", config.bucket));
    }
    return common::Ok();
}

KeyOperation ToOperation(kvOperation operation) {
    switch (operation) {
        case kvOp_Delete:
            return KeyOperation::kDelete;
        case kvOp_Purge:
            return KeyOperation::kPurge;
        default:
            return KeyOperation::kPut;
    }
}

KeyEntry ToEntry(kvEntry* entry) {
    const auto* value = static_cast<const char*>(kvEntry_Value(entry));
    return KeyEntry{kvEntry_Key(entry),
                    value ? std::string(value, static_cast<std::size_t>(kvEntry_ValueLen(entry))) : std::string(),
                    kvEntry_Revision(entry), ToOperation(kvEntry_Operation(entry))};
}

}  // namespace

std::string Action(const std::string& bucket, std::string_view verb, std::string_view key) {
    return fmt::format("{} {}/{}", verb, bucket, key);
}

Result<std::unique_ptr<KeyValue>> Connection::KeyValueBucket(const KeyValueConfig& config) {
    if (auto valid = Validate(config); !valid) return common::Fail(valid.error());
    kvConfig raw_config;
    kvConfig_Init(&raw_config);
    raw_config.Bucket = config.bucket.c_str();
    raw_config.Description = config.description.empty() ? nullptr : config.description.c_str();
    raw_config.MaxValueSize = config.max_value_bytes;
    raw_config.History = static_cast<uint8_t>(config.history);
    raw_config.TTL = ToNanos(config.ttl);
    const int replicas = WantedReplicas(config.replicas, core_->replicas);
    raw_config.Replicas = replicas;
    raw_config.StorageType = js_FileStorage;
    kvStore* raw = nullptr;
    const natsStatus created = js_CreateKeyValue(&raw, core_->js.get(), &raw_config);
    if (created != NATS_OK) {
        const auto create_error =
            NatsError(created, fmt::format("creating bucket {} with {} replica(s)", config.bucket, replicas));
        // Exists with other settings (or another process won the race): bind and keep its settings.
        if (js_KeyValue(&raw, core_->js.get(), config.bucket.c_str()) != NATS_OK) return common::Fail(create_error);
        GAPKIT_LOG_DEBUG("bus", "bound existing bucket {} ({})", config.bucket, create_error.message());
        WarnIfReplicasDiffer(core_->js.get(), "bucket " + config.bucket, "KV_" + config.bucket, replicas);
    }
    KvStorePtr kv(raw);
    const bool direct_get = AllowsDirectGet(core_->js.get(), config.bucket);
    return std::make_unique<KeyValue>(
        std::make_unique<KeyValue::Impl>(KeyValue::Impl{core_, std::move(kv), config.bucket, direct_get}));
}

KeyValue::KeyValue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KeyValue::~KeyValue() = default;

const std::string& KeyValue::bucket() const { return impl_->bucket; }

Result<std::optional<KeyEntry>> KeyValue::Get(std::string_view key) {
    const std::string key_text(key);
    kvEntry* raw = nullptr;
    const natsStatus status = kvStore_Get(&raw, impl_->kv.get(), key_text.c_str());
    if (status == NATS_NOT_FOUND) return std::optional<KeyEntry>();
    if (status != NATS_OK) return common::Fail(NatsError(status, Action(impl_->bucket, "get", key)));
    KvEntryPtr entry(raw);
    return std::optional<KeyEntry>(ToEntry(entry.get()));
}

Result<std::uint64_t> KeyValue::Put(std::string_view key, std::string_view value) {
    const std::string key_text(key);
    std::uint64_t revision = 0;
    const natsStatus status =
        kvStore_Put(&revision, impl_->kv.get(), key_text.c_str(), value.data(), static_cast<int>(value.size()));
    if (status != NATS_OK) return common::Fail(NatsError(status, Action(impl_->bucket, "put", key)));
    return revision;
}

Result<std::uint64_t> KeyValue::Create(std::string_view key, std::string_view value) {
    const std::string key_text(key);
    std::uint64_t revision = 0;
    const natsStatus status =
        kvStore_Create(&revision, impl_->kv.get(), key_text.c_str(), value.data(), static_cast<int>(value.size()));
    if (status == NATS_OK) return revision;
    auto error = NatsError(status, Action(impl_->bucket, "create", key));
    // JetStream refuses with "wrong last sequence" when the key already has a value.
    if (error.message().find("wrong last sequence") != std::string::npos) {
        return MakeError(ErrorCode::kAlreadyExists,
                         fmt::format("create {}/{}: key already exists", impl_->bucket, key));
    }
    return common::Fail(std::move(error));
}

Result<std::uint64_t> KeyValue::Update(std::string_view key, std::string_view value, std::uint64_t expected_revision) {
    const std::string key_text(key);
    std::uint64_t revision = 0;
    const natsStatus status = kvStore_Update(&revision, impl_->kv.get(), key_text.c_str(), value.data(),
                                             static_cast<int>(value.size()), expected_revision);
    if (status == NATS_OK) return revision;
    auto error = NatsError(status, Action(impl_->bucket, "update", key));
    if (error.message().find("wrong last sequence") != std::string::npos) {
        return MakeError(
            ErrorCode::kFailedPrecondition,
            fmt::format("update {}/{}: revision {} is no longer the latest", impl_->bucket, key, expected_revision));
    }
    return common::Fail(std::move(error));
}

Status KeyValue::Delete(std::string_view key) {
    const std::string key_text(key);
    return CheckNats(kvStore_Delete(impl_->kv.get(), key_text.c_str()), Action(impl_->bucket, "delete", key));
}

Result<std::vector<std::string>> KeyValue::Keys() {
    kvKeysList list{};
    // nats.c waits for the listing's last key with no deadline by default, and a key that expires
    // (bucket TTL) while it is listed never arrives (nats-server 2.9): bounded, the caller retries.
    kvWatchOptions options;
    kvWatchOptions_Init(&options);
    options.Timeout = kKeysTimeoutMs;
    const natsStatus status = kvStore_Keys(&list, impl_->kv.get(), &options);
    if (status == NATS_NOT_FOUND) return std::vector<std::string>();
    if (status != NATS_OK) return common::Fail(NatsError(status, fmt::format("listing keys of {}", impl_->bucket)));
    std::vector<std::string> keys(list.Keys, list.Keys + list.Count);
    kvKeysList_Destroy(&list);
    return keys;
}

// A watch of every key, read until nats.c's end-of-initial-values marker: the values come pushed
// in one stream instead of a request per key. Bounded like Keys, for the same expiring-key reason.
Result<std::vector<KeyEntry>> KeyValue::Entries() {
    kvWatchOptions options;
    kvWatchOptions_Init(&options);
    options.IgnoreDeletes = true;
    kvWatcher* raw = nullptr;
    natsStatus status = kvStore_WatchAll(&raw, impl_->kv.get(), &options);
    if (status != NATS_OK) return common::Fail(NatsError(status, fmt::format("reading {}", impl_->bucket)));
    KvWatcherPtr watcher(raw);
    std::vector<KeyEntry> entries;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kKeysTimeoutMs);
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        kvEntry* next = nullptr;
        status = left.count() > 0 ? kvWatcher_Next(&next, watcher.get(), left.count()) : NATS_TIMEOUT;
        if (status != NATS_OK) {
            kvWatcher_Stop(watcher.get());
            return common::Fail(NatsError(status, fmt::format("reading {}", impl_->bucket)));
        }
        if (next == nullptr) break;  // Every value present when the watch started was delivered.
        KvEntryPtr entry(next);
        if (kvEntry_Operation(entry.get()) == kvOp_Put) entries.push_back(ToEntry(entry.get()));
    }
    kvWatcher_Stop(watcher.get());
    return entries;
}

Result<KeyWatcher> KeyValue::Watch(std::string_view keys) {
    const std::string keys_text(keys);
    kvWatcher* raw = nullptr;
    const natsStatus status = kvStore_Watch(&raw, impl_->kv.get(), keys_text.c_str(), nullptr);
    if (status != NATS_OK) return common::Fail(NatsError(status, Action(impl_->bucket, "watch", keys)));
    return KeyWatcher(
        std::make_unique<KeyWatcher::Impl>(KeyWatcher::Impl{impl_->core, KvWatcherPtr(raw), impl_->bucket, false}));
}

KeyWatcher::KeyWatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KeyWatcher::KeyWatcher(KeyWatcher&&) noexcept = default;
KeyWatcher& KeyWatcher::operator=(KeyWatcher&&) noexcept = default;
KeyWatcher::~KeyWatcher() {
    if (impl_) kvWatcher_Stop(impl_->watcher.get());
}

bool KeyWatcher::CaughtUp() const { return impl_->caught_up; }

Result<std::optional<KeyEntry>> KeyWatcher::Next(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        kvEntry* raw = nullptr;
        const natsStatus status = kvWatcher_Next(&raw, impl_->watcher.get(), std::max<std::int64_t>(1, left.count()));
        if (status == NATS_TIMEOUT) return std::optional<KeyEntry>();
        if (status != NATS_OK) return common::Fail(NatsError(status, fmt::format("watching {}", impl_->bucket)));
        if (raw != nullptr) {
            KvEntryPtr entry(raw);
            return std::optional<KeyEntry>(ToEntry(entry.get()));
        }
        impl_->caught_up = true;  // nats.c marks the end of the initial values with a null entry.
    }
}

}  // namespace gapkit::bus
