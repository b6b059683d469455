#include "gapkit/bus/subscription.hpp"

#include <fmt/core.h>

#include "connection_core.hpp"
#include "gapkit/bus/connection.hpp"
#include "gapkit/common/log.hpp"
#include "request_mux.hpp"
#include "status.hpp"

namespace gapkit::bus {

using common::ErrorCode;
using common::MakeError;
using common::Result;
using common::Status;

struct Subscription::Impl {
    std::shared_ptr<ConnectionCore> core;  // Declared first: outlives `sub`.
    SubscriptionPtr sub;
    std::string subject;
    bool async = false;
    bool unsubscribed = false;
};

struct ReplyStream::Impl {
    std::shared_ptr<ConnectionCore> core;
    SubscriptionPtr inbox;
    std::string subject;
    StreamOptions options;
    std::chrono::steady_clock::time_point deadline;
    bool finished = false;
};

namespace {

// Owns the handler of an asynchronous subscription. nats.c may still be inside OnMessage when we
// unsubscribe, so the box is freed by OnComplete, which nats.c calls after the last delivery.
struct HandlerBox {
    MessageHandler handler;
    std::string subject;
};

void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    MsgPtr owned(msg);
    auto* box = static_cast<HandlerBox*>(closure);
    try {
        box->handler(ToMessage(owned.get()));
    } catch (const std::exception& error) {
        GAPKIT_LOG_ERROR("bus", "handler for {} threw: {}", box->subject, error.what());
    } catch (...) {
        GAPKIT_LOG_ERROR("bus", "handler for {} threw a non-standard exception", box->subject);
    }
}

void OnComplete(void* closure) { delete static_cast<HandlerBox*>(closure); }

Result<Subscription> SubscribeAsync(const std::shared_ptr<ConnectionCore>& core, std::string_view subject,
                                    std::string_view queue, MessageHandler handler) {
    if (!handler) return MakeError(ErrorCode::kInvalidArgument, "subscribe: empty handler");
    const std::string subject_text(subject);
    const std::string queue_text(queue);
    auto box = std::make_unique<HandlerBox>(HandlerBox{std::move(handler), subject_text});
    natsSubscription* raw = nullptr;
    const natsStatus status =
        queue.empty()
            ? natsConnection_Subscribe(&raw, core->connection.get(), subject_text.c_str(), OnMessage, box.get())
            : natsConnection_QueueSubscribe(&raw, core->connection.get(), subject_text.c_str(), queue_text.c_str(),
                                            OnMessage, box.get());
    if (status != NATS_OK) return common::Fail(NatsError(status, fmt::format("subscribing to {}", subject)));
    SubscriptionPtr sub(raw);
    if (natsSubscription_SetOnCompleteCB(raw, OnComplete, box.get()) != NATS_OK) {
        natsSubscription_Unsubscribe(raw);
        box.release();  // A delivery may be running; leaking one handler beats a use-after-free.
        return MakeError(ErrorCode::kInternal, fmt::format("subscribing to {}: cannot set completion", subject));
    }
    box.release();  // Owned by nats.c now; OnComplete frees it.
    return Subscription(
        std::make_unique<Subscription::Impl>(Subscription::Impl{core, std::move(sub), subject_text, true, false}));
}

Result<SubscriptionPtr> SubscribeInbox(natsConnection* connection, const std::string& subject,
                                       const std::string& queue) {
    natsSubscription* raw = nullptr;
    const natsStatus status = queue.empty()
                                  ? natsConnection_SubscribeSync(&raw, connection, subject.c_str())
                                  : natsConnection_QueueSubscribeSync(&raw, connection, subject.c_str(), queue.c_str());
    if (status != NATS_OK) return common::Fail(NatsError(status, fmt::format("subscribing to {}", subject)));
    return SubscriptionPtr(raw);
}

common::Error StreamTimeout(std::string_view subject, const StreamOptions& options, bool overall) {
    return common::Error(ErrorCode::kTimeout,
                         fmt::format("streamed request on {}: {} ({} ms)", subject,
                                     overall ? "the stream did not end within the overall timeout"
                                             : "no reply part within the idle timeout",
                                     (overall ? options.overall_timeout : options.idle_timeout).count()));
}

// The handlers of one RequestStreamAsync, shared by its two mux callbacks. The mux runs them one at
// a time and ends the call at the first terminal event, so `on_end` runs at most once.
struct StreamCall {
    StreamHandlers handlers;
    std::string subject;
    StreamOptions options;
    std::chrono::steady_clock::time_point deadline;

    void End(Status end) const {
        if (handlers.on_end) handlers.on_end(std::move(end));
    }
    bool OnReply(natsMsg* msg) const {
        if (natsMsg_IsNoResponders(msg)) {
            End(MakeError(ErrorCode::kUnavailable, fmt::format("no responders on {}", subject)));
            return false;
        }
        if (natsMsg_GetDataLength(msg) == 0) {
            End(common::Ok());
            return false;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            End(common::Fail(StreamTimeout(subject, options, true)));
            return false;
        }
        Message part = ToMessage(msg);
        const bool last = part.last_part;
        if (!handlers.on_part(std::move(part))) return false;
        if (last) End(common::Ok());
        return !last;
    }
};

}  // namespace

Subscription::Subscription(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Subscription::Subscription(Subscription&&) noexcept = default;
Subscription& Subscription::operator=(Subscription&&) noexcept = default;
Subscription::~Subscription() {
    if (impl_) (void)Unsubscribe();
}

Result<std::optional<Message>> Subscription::NextMessage(std::chrono::milliseconds timeout) {
    if (impl_->async) {
        return MakeError(ErrorCode::kFailedPrecondition,
                         fmt::format("NextMessage on {}: the subscription delivers to a handler", impl_->subject));
    }
    natsMsg* raw = nullptr;
    const natsStatus status =
        natsSubscription_NextMsg(&raw, impl_->sub.get(), std::max<std::int64_t>(0, timeout.count()));
    if (status == NATS_TIMEOUT) return std::optional<Message>();
    if (status != NATS_OK) return common::Fail(NatsError(status, fmt::format("receiving on {}", impl_->subject)));
    MsgPtr msg(raw);
    return std::optional<Message>(ToMessage(msg.get()));
}

Status Subscription::Unsubscribe() {
    if (impl_->unsubscribed) return common::Ok();
    impl_->unsubscribed = true;
    return CheckNats(natsSubscription_Unsubscribe(impl_->sub.get()), fmt::format("unsubscribing {}", impl_->subject));
}

ReplyStream::ReplyStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReplyStream::ReplyStream(ReplyStream&&) noexcept = default;
ReplyStream& ReplyStream::operator=(ReplyStream&&) noexcept = default;
ReplyStream::~ReplyStream() = default;

Result<std::optional<Message>> ReplyStream::Next() {
    if (impl_->finished) return std::optional<Message>();
    const auto now = std::chrono::steady_clock::now();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(impl_->deadline - now);
    const bool overall_bound = left <= impl_->options.idle_timeout;
    natsMsg* raw = nullptr;
    const natsStatus status =
        left.count() <= 0
            ? NATS_TIMEOUT
            : natsSubscription_NextMsg(&raw, impl_->inbox.get(), std::min(left, impl_->options.idle_timeout).count());
    if (status != NATS_OK) {
        impl_->finished = true;
        if (status == NATS_TIMEOUT) return common::Fail(StreamTimeout(impl_->subject, impl_->options, overall_bound));
        return common::Fail(NatsError(status, fmt::format("streamed request on {}", impl_->subject)));
    }
    MsgPtr msg(raw);
    if (natsMsg_GetDataLength(msg.get()) == 0) {
        impl_->finished = true;
        return std::optional<Message>();
    }
    Message part = ToMessage(msg.get());
    impl_->finished = part.last_part;
    return std::optional<Message>(std::move(part));
}

Result<Subscription> Connection::Subscribe(std::string_view subject, MessageHandler handler) {
    return SubscribeAsync(core_, subject, {}, std::move(handler));
}

Result<Subscription> Connection::QueueSubscribe(std::string_view subject, std::string_view queue,
                                                MessageHandler handler) {
    if (queue.empty()) return MakeError(ErrorCode::kInvalidArgument, "queue subscribe: empty queue group");
    return SubscribeAsync(core_, subject, queue, std::move(handler));
}

Result<Subscription> Connection::SubscribeSync(std::string_view subject, std::string_view queue) {
    const std::string subject_text(subject);
    auto sub = SubscribeInbox(core_->connection.get(), subject_text, std::string(queue));
    if (!sub) return common::Fail(sub.error());
    return Subscription(
        std::make_unique<Subscription::Impl>(Subscription::Impl{core_, std::move(*sub), subject_text, false, false}));
}

Status Connection::RequestStreamAsync(std::string_view subject, std::string_view data, StreamHandlers handlers,
                                      const StreamOptions& options) {
    if (!handlers.on_part) return MakeError(ErrorCode::kInvalidArgument, "streamed request: empty on_part handler");
    auto call =
        std::make_shared<const StreamCall>(StreamCall{std::move(handlers), std::string(subject), options,
                                                      std::chrono::steady_clock::now() + options.overall_timeout});
    MuxCall mux_call{
        [call](natsMsg* msg) { return call->OnReply(msg); },
        [call](bool overall) { call->End(common::Fail(StreamTimeout(call->subject, call->options, overall))); }, true,
        options.idle_timeout, options.overall_timeout};
    return core_->mux->Start(subject, data, std::move(mux_call), fmt::format("streamed request on {}", subject));
}

Result<ReplyStream> Connection::RequestStream(std::string_view subject, std::string_view data,
                                              const StreamOptions& options) {
    auto inbox = NewInbox(core_->inbox_prefix);
    if (!inbox) return common::Fail(inbox.error());
    const std::string& inbox_subject = *inbox;
    auto sub = SubscribeInbox(core_->connection.get(), inbox_subject, {});
    if (!sub) return common::Fail(sub.error());
    const std::string subject_text(subject);
    auto sent =
        CheckNats(natsConnection_PublishRequest(core_->connection.get(), subject_text.c_str(), inbox_subject.c_str(),
                                                data.data(), static_cast<int>(data.size())),
                  fmt::format("streamed request on {}", subject));
    if (!sent) return common::Fail(sent.error());
    const auto deadline = std::chrono::steady_clock::now() + options.overall_timeout;
    return ReplyStream(std::make_unique<ReplyStream::Impl>(
        ReplyStream::Impl{core_, std::move(*sub), subject_text, options, deadline, false}));
}

}  // namespace gapkit::bus
