#pragma once

/// @file
/// The bus floor: plain NATS request/reply round trips against a trivial in-process responder on
/// the same NATS server as the stack, measured in the same run as the WebSocket phase. A
/// matchmaking request crosses the bus at least twice (httpd to matchmaker and back), so these
/// round trips are the least the full path can cost.
///
/// Both connections come from the `NATS_*` environment (docs/bus.md) with `send_asap`, as httpd
/// and the matchmaker connect. The NATS user must be allowed to publish and subscribe both the
/// floor subject and `_INBOX.>`.
///
/// Threads: `Run` blocks the caller and runs one requesting thread per client of the level;
/// the responder answers on a nats.c thread. One `Run` at a time.

#include <memory>
#include <string>

#include "gapkit/bus/connection.hpp"
#include "gapkit/common/result.hpp"
#include "level_plan.hpp"

namespace gapkit::loadgen {

class BusFloor {
  public:
    /// Connects the requester and the responder and subscribes the responder to `subject`, which
    /// echoes each request's payload back.
    static common::Result<std::unique_ptr<BusFloor>> Start(const std::string& subject);

    /// Runs one level of round trips carrying `payload`. Outcomes: `kOutcomeOk`, or the error code
    /// of the failed request (`timeout`, `unavailable` for no responders, ...).
    LevelRun Run(const std::string& payload, const LevelPlan& plan);

  private:
    BusFloor(std::string subject, std::unique_ptr<bus::Connection> requester,
             std::unique_ptr<bus::Connection> responder, bus::Subscription echo);

    const std::string subject_;
    std::unique_ptr<bus::Connection> requester_;
    std::unique_ptr<bus::Connection> responder_;
    bus::Subscription echo_;  // Declared last: unsubscribes before the connections go.
};

}  // namespace gapkit::loadgen
