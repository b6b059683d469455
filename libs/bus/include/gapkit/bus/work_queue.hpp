#pragma once

/// @file
/// JetStream work-queue streams (`Connection::WorkQueueStream`): each message is delivered to one
/// consumer and removed from the stream once acknowledged.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gapkit/common/result.hpp"

namespace gapkit::bus {

/// Settings used when the stream is created (ignored when binding to an existing one).
struct WorkQueueConfig {
    std::string stream;                 ///< Stream name. Required.
    std::vector<std::string> subjects;  ///< Subjects captured, e.g. "name.*". Required.
    std::string description;            ///< Default empty.
    /// Messages older than this are dropped unprocessed; zero keeps them. Default 0.
    std::chrono::milliseconds max_age{0};
    /// Copies in a cluster (1..5), or 0: the connection's (as `KeyValueConfig::replicas`). Default 0.
    int replicas = 0;
};

/// One delivered message. Settle it exactly once with `Ack`, `Nak` or `Term`; an unsettled item is
/// redelivered after the consumer's ack wait. Movable; one thread at a time.
class WorkItem {
  public:
    struct Impl;
    explicit WorkItem(std::unique_ptr<Impl> impl);
    WorkItem(WorkItem&&) noexcept;
    WorkItem& operator=(WorkItem&&) noexcept;
    ~WorkItem();

    const std::string& subject() const;
    const std::string& data() const;
    /// 1 on first delivery, 2 on the first redelivery, ...
    std::uint64_t delivery_count() const;

    /// Done: the message leaves the stream (waits for the server's confirmation).
    common::Status Ack();
    /// Failed for now: redeliver after `delay` (zero: at once).
    common::Status Nak(std::chrono::milliseconds delay = std::chrono::milliseconds(0));
    /// Never redeliver (poison message).
    common::Status Term();

  private:
    std::unique_ptr<Impl> impl_;
};

/// A durable pull consumer on a work-queue stream. Any thread. Destroying it does not delete the
/// durable consumer on the server, so unacknowledged work survives a restart.
class WorkConsumer {
  public:
    struct Impl;
    explicit WorkConsumer(std::unique_ptr<Impl> impl);
    ~WorkConsumer();
    WorkConsumer(const WorkConsumer&) = delete;
    WorkConsumer& operator=(const WorkConsumer&) = delete;

    /// Up to `batch` messages, waiting at most `timeout` (at least 1 ms); empty when none came.
    common::Result<std::vector<WorkItem>> Fetch(int batch, std::chrono::milliseconds timeout);

  private:
    std::unique_ptr<Impl> impl_;
};

/// A bound work-queue stream. Any thread. Keeps the connection alive.
class WorkQueue {
  public:
    struct Impl;
    explicit WorkQueue(std::unique_ptr<Impl> impl);
    ~WorkQueue();
    WorkQueue(const WorkQueue&) = delete;
    WorkQueue& operator=(const WorkQueue&) = delete;

    const std::string& stream() const;

    /// Publishes and waits for JetStream's acknowledgement; returns the stream sequence.
    common::Result<std::uint64_t> Publish(std::string_view subject, std::string_view data);

    /// Creates or binds the durable pull consumer `durable` for `filter_subject` (empty: all the
    /// stream's subjects). Unacknowledged messages are redelivered after `ack_wait`.
    common::Result<std::unique_ptr<WorkConsumer>> Consumer(
        std::string_view durable, std::string_view filter_subject = {},
        std::chrono::milliseconds ack_wait = std::chrono::seconds(30));

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace gapkit::bus
