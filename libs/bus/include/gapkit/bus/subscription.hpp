#pragma once

/// @file
/// Subscriptions and streamed replies handed out by `gapkit::bus::Connection`.

#include <chrono>
#include <memory>
#include <optional>

#include "gapkit/bus/message.hpp"
#include "gapkit/common/result.hpp"

namespace gapkit::bus {

/// An interest in a subject. Destroying it unsubscribes; an asynchronous handler may still be
/// running on its nats.c thread at that moment and finishes normally (the handler object is freed
/// only after its last call). Movable, not copyable; one thread at a time.
class Subscription {
  public:
    struct Impl;
    explicit Subscription(std::unique_ptr<Impl> impl);
    Subscription(Subscription&&) noexcept;
    Subscription& operator=(Subscription&&) noexcept;
    ~Subscription();

    /// For subscriptions from `SubscribeSync`: the next message, waiting at most `timeout`
    /// (zero: only what is already queued, never blocks). Nothing when none arrived in time.
    /// `kFailedPrecondition` on an asynchronous subscription.
    common::Result<std::optional<Message>> NextMessage(std::chrono::milliseconds timeout);

    /// Stops delivery now (the destructor does the same).
    common::Status Unsubscribe();

  private:
    std::unique_ptr<Impl> impl_;
};

/// The replies to one `Connection::RequestStream`. Movable, not copyable; one thread at a time.
class ReplyStream {
  public:
    struct Impl;
    explicit ReplyStream(std::unique_ptr<Impl> impl);
    ReplyStream(ReplyStream&&) noexcept;
    ReplyStream& operator=(ReplyStream&&) noexcept;
    ~ReplyStream();

    /// Blocks for the next part. Returns it; or nothing once the empty end message arrived (and on
    /// every later call); or an error: `kUnavailable` "no responders", `kTimeout` when the idle or
    /// overall timeout passed (the message says which). After an error the stream is finished.
    common::Result<std::optional<Message>> Next();

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace gapkit::bus
