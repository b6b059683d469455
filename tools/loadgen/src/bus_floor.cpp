#include "bus_floor.hpp"

#include <atomic>
#include <mutex>
#include <thread>

namespace gapkit::loadgen {
namespace {

using SteadyClock = std::chrono::steady_clock;

common::Result<std::unique_ptr<bus::Connection>> ConnectAs(std::string name) {
    auto connection = bus::Connection::Connect(std::move(name), {.send_asap = true});
    if (!connection) return common::Fail(connection.error().WithContext("bus floor"));
    return connection;
}

// Hands out the level's requests to its threads.
class Tickets {
  public:
    explicit Tickets(const LevelPlan& plan)
        : left_(static_cast<std::int64_t>(plan.requests)), stop_starting_at_(SteadyClock::now() + plan.max_duration) {}

    bool Take() { return SteadyClock::now() < stop_starting_at_ && left_.fetch_sub(1) > 0; }

  private:
    std::atomic<std::int64_t> left_;
    const SteadyClock::time_point stop_starting_at_;
};

}  // namespace

BusFloor::BusFloor(std::string subject, std::unique_ptr<bus::Connection> requester,
                   std::unique_ptr<bus::Connection> responder, bus::Subscription echo)
    : subject_(std::move(subject)),
      requester_(std::move(requester)),
      responder_(std::move(responder)),
      echo_(std::move(echo)) {}

common::Result<std::unique_ptr<BusFloor>> BusFloor::Start(const std::string& subject) {
    auto requester = ConnectAs("gapkit_loadgen");
    if (!requester) return common::Fail(requester.error());
    auto responder = ConnectAs("gapkit_loadgen_responder");
    if (!responder) return common::Fail(responder.error());
    bus::Connection* answering = responder->get();
    auto echo = answering->Subscribe(
        subject, [answering](const bus::Message& request) { (void)answering->Respond(request, request.data); });
    if (!echo) return common::Fail(echo.error().WithContext("bus floor"));
    // The subscription must reach the server before the first request, or it has no responder.
    if (auto flushed = answering->Flush(); !flushed) return common::Fail(flushed.error().WithContext("bus floor"));
    return std::unique_ptr<BusFloor>(
        new BusFloor(subject, std::move(*requester), std::move(*responder), std::move(*echo)));
}

LevelRun BusFloor::Run(const std::string& payload, const LevelPlan& plan) {
    Tickets tickets(plan);
    std::mutex mutex;
    LevelRun run;
    const auto start = SteadyClock::now();
    std::vector<std::jthread> clients;
    for (int i = 0; i < plan.concurrency; ++i) {
        clients.emplace_back([&] {
            std::vector<Sample> mine;
            while (tickets.Take()) {
                const auto sent = SteadyClock::now();
                auto reply = requester_->Request(subject_, payload, plan.request_timeout);
                const std::string outcome = reply ? kOutcomeOk : std::string(common::ToString(reply.error().code()));
                mine.push_back(Sample{SteadyClock::now() - sent, outcome});
            }
            std::lock_guard lock(mutex);
            run.samples.insert(run.samples.end(), mine.begin(), mine.end());
        });
    }
    clients.clear();  // Joins every client.
    run.wall = SteadyClock::now() - start;
    return run;
}

}  // namespace gapkit::loadgen
