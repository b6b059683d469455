#include "gapkit/bus/work_queue.hpp"

#include <fmt/core.h>

#include "connection_core.hpp"
#include "gapkit/bus/connection.hpp"
#include "gapkit/common/log.hpp"
#include "replicas.hpp"
#include "status.hpp"

namespace gapkit::bus {

using common::ErrorCode;
using common::MakeError;
using common::Result;
using common::Status;

struct WorkQueue::Impl {
    std::shared_ptr<ConnectionCore> core;
    std::string stream;
    std::vector<std::string> subjects;
};

struct WorkConsumer::Impl {
    std::shared_ptr<ConnectionCore> core;  // Declared first: outlives `sub`.
    SubscriptionPtr sub;                   // Only destroyed, never unsubscribed: that would delete the durable.
    std::string durable;
};

struct WorkItem::Impl {
    std::shared_ptr<ConnectionCore> core;
    MsgPtr msg;
    std::string subject;
    std::string data;
    std::uint64_t delivery_count = 1;
};

namespace {

std::int64_t ToNanos(std::chrono::milliseconds duration) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
}

Status Validate(const WorkQueueConfig& config) {
    if (config.stream.empty()) return MakeError(ErrorCode::kInvalidArgument, "work queue: empty stream name");
    if (config.subjects.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("work queue {}: no subjects", config.stream));
    }
    if (config.replicas < 0 || config.replicas > 5) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("work queue {}: replicas {} is outside 0 (auto)..5",
                                                                  config.stream, config.replicas));
    }
    return common::Ok();
}

std::uint64_t DeliveryCount(natsMsg* msg) {
    jsMsgMetaData* raw = nullptr;
    if (natsMsg_GetMetaData(&raw, msg) != NATS_OK) return 1;  // No JetStream metadata: a first delivery.
    MetaDataPtr meta(raw);
    return meta->NumDelivered;
}

Status SettleCheck(natsStatus status, const WorkItem::Impl& item, std::string_view verb) {
    return CheckNats(status, fmt::format("{} of {}", verb, item.subject));
}

}  // namespace

Result<std::unique_ptr<WorkQueue>> Connection::WorkQueueStream(const WorkQueueConfig& config) {
    if (auto valid = Validate(config); !valid) return common::Fail(valid.error());
    std::vector<const char*> subjects;
    for (const auto& subject : config.subjects) subjects.push_back(subject.c_str());
    jsStreamConfig raw_config;
    jsStreamConfig_Init(&raw_config);
    raw_config.Name = config.stream.c_str();
    raw_config.Description = config.description.empty() ? nullptr : config.description.c_str();
    raw_config.Subjects = subjects.data();
    raw_config.SubjectsLen = static_cast<int>(subjects.size());
    raw_config.Retention = js_WorkQueuePolicy;
    raw_config.MaxAge = ToNanos(config.max_age);
    const int replicas = WantedReplicas(config.replicas, core_->replicas);
    raw_config.Replicas = replicas;
    raw_config.Storage = js_FileStorage;
    jsStreamInfo* raw = nullptr;
    // Add, then bind when that fails: every matchmaker creates the queue at start, so another one may
    // have made it first; binding keeps whatever settings it was made with.
    const natsStatus added = js_AddStream(&raw, core_->js.get(), &raw_config, nullptr, nullptr);
    StreamInfoPtr info(raw);
    if (added != NATS_OK) {
        const auto add_error =
            NatsError(added, fmt::format("creating stream {} with {} replica(s)", config.stream, replicas));
        if (js_GetStreamInfo(&raw, core_->js.get(), config.stream.c_str(), nullptr, nullptr) != NATS_OK) {
            return common::Fail(add_error);
        }
        info.reset(raw);
        GAPKIT_LOG_DEBUG("bus", "bound existing stream {} ({})", config.stream, add_error.message());
        WarnIfReplicasDiffer(core_->js.get(), "work queue " + config.stream, config.stream, replicas);
    }
    return std::make_unique<WorkQueue>(
        std::make_unique<WorkQueue::Impl>(WorkQueue::Impl{core_, config.stream, config.subjects}));
}

WorkQueue::WorkQueue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WorkQueue::~WorkQueue() = default;

const std::string& WorkQueue::stream() const { return impl_->stream; }

Result<std::uint64_t> WorkQueue::Publish(std::string_view subject, std::string_view data) {
    const std::string subject_text(subject);
    jsPubAck* raw = nullptr;
    const natsStatus status = js_Publish(&raw, impl_->core->js.get(), subject_text.c_str(), data.data(),
                                         static_cast<int>(data.size()), nullptr, nullptr);
    PubAckPtr ack(raw);
    if (status != NATS_OK) return common::Fail(NatsError(status, fmt::format("publishing to {}", subject)));
    return ack->Sequence;
}

Result<std::unique_ptr<WorkConsumer>> WorkQueue::Consumer(std::string_view durable, std::string_view filter_subject,
                                                          std::chrono::milliseconds ack_wait) {
    std::string filter(filter_subject);
    if (filter.empty() && impl_->subjects.size() == 1) filter = impl_->subjects.front();
    if (filter.empty() || durable.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("consumer on {}: needs a durable name and a filter subject", impl_->stream));
    }
    const std::string durable_text(durable);
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = impl_->stream.c_str();
    options.Config.AckWait = ToNanos(ack_wait);
    options.Config.AckPolicy = js_AckExplicit;
    natsSubscription* raw = nullptr;
    const natsStatus status =
        js_PullSubscribe(&raw, impl_->core->js.get(), filter.c_str(), durable_text.c_str(), nullptr, &options, nullptr);
    if (status != NATS_OK) {
        return common::Fail(NatsError(status, fmt::format("consumer {} on {}", durable, impl_->stream)));
    }
    return std::make_unique<WorkConsumer>(
        std::make_unique<WorkConsumer::Impl>(WorkConsumer::Impl{impl_->core, SubscriptionPtr(raw), durable_text}));
}

WorkConsumer::WorkConsumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WorkConsumer::~WorkConsumer() = default;

Result<std::vector<WorkItem>> WorkConsumer::Fetch(int batch, std::chrono::milliseconds timeout) {
    if (batch < 1) return MakeError(ErrorCode::kInvalidArgument, "fetch: batch must be at least 1");
    natsMsgList list{};
    const natsStatus status =
        natsSubscription_Fetch(&list, impl_->sub.get(), batch, std::max<std::int64_t>(1, timeout.count()), nullptr);
    if (status == NATS_TIMEOUT) return std::vector<WorkItem>();
    if (status != NATS_OK) return common::Fail(NatsError(status, fmt::format("fetching for {}", impl_->durable)));
    std::vector<WorkItem> items;
    for (int i = 0; i < list.Count; ++i) {
        MsgPtr msg(std::exchange(list.Msgs[i], nullptr));
        const Message copy = ToMessage(msg.get());
        const auto delivered = DeliveryCount(msg.get());
        items.emplace_back(std::make_unique<WorkItem::Impl>(
            WorkItem::Impl{impl_->core, std::move(msg), copy.subject, copy.data, delivered}));
    }
    natsMsgList_Destroy(&list);
    return items;
}

WorkItem::WorkItem(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WorkItem::WorkItem(WorkItem&&) noexcept = default;
WorkItem& WorkItem::operator=(WorkItem&&) noexcept = default;
WorkItem::~WorkItem() = default;

const std::string& WorkItem::subject() const { return impl_->subject; }
const std::string& WorkItem::data() const { return impl_->data; }
std::uint64_t WorkItem::delivery_count() const { return impl_->delivery_count; }

// Synchronous, so a lost ack is reported rather than found out as a redelivery after ack_wait.
Status WorkItem::Ack() { return SettleCheck(natsMsg_AckSync(impl_->msg.get(), nullptr, nullptr), *impl_, "ack"); }

Status WorkItem::Nak(std::chrono::milliseconds delay) {
    const natsStatus status = delay.count() > 0 ? natsMsg_NakWithDelay(impl_->msg.get(), delay.count(), nullptr)
                                                : natsMsg_Nak(impl_->msg.get(), nullptr);
    return SettleCheck(status, *impl_, "nak");
}

Status WorkItem::Term() { return SettleCheck(natsMsg_Term(impl_->msg.get(), nullptr), *impl_, "term"); }

}  // namespace gapkit::bus
