// gapkit_bus_benchmark: NATS round trips on loopback: request/reply against raw nats.c, streamed
// requests on the connection's request multiplexer against a subscription per request (the old
// way), and JetStream key-value puts one after another against asynchronous puts all in flight.
//
// Cases (all against one plain-TCP nats-server with JetStream started by gapkit::testing on
// 127.0.0.1, with in-process responders on a second connection and 64-byte payloads):
//   BM_RawRequestReply/<asap>   baseline: natsConnection_Request + a C callback publishing the reply
//   BM_BusRequestReply/<asap>   gapkit::bus: Connection::Request + Subscribe/Respond
//   BM_RawStreamPerRequestSub   baseline, what RequestStreamAsync did before the multiplexer: per
//                               request a new inbox, an asynchronous subscription with an idle
//                               timeout (SUB, plus a nats.c delivery thread), the request, the
//                               parts, UNSUB; the responder sends one part and the end message
//   BM_BusRequestStreamAsync    gapkit::bus: Connection::RequestStreamAsync (one shared
//                               subscription, one PUB per request), same responder
//   BM_KvPutSync/<n>            baseline: n KeyValue::Put one after another
//   BM_KvPutAsync/<n>           n KeyValue::PutAsync all in flight, then wait for every answer
// <asap> 0 is nats.c's default write batching (up to ~1 ms per hop), 1 sets "send asap" on both
// connections (natsOptions_SetSendAsap / ConnectOptions::send_asap); the stream and KV cases use
// send asap, as httpd and the matchmaker do.
// Counters: round_trips_per_s (puts_per_s for KV), p50_us, p99_us (per iteration),
// process_cpu_us_per_op (stream and KV cases: CPU of the whole benchmark process, nats-server
// excluded, per round trip or put); ratios in the same run against the baseline registered before:
// ratio_vs_raw (request/reply), ratio_vs_sub_per_request (streams), ratio_vs_sync (KV puts per
// second, async over sync).
//
// Run: build-bus/bin/gapkit_bus_benchmark   (needs nats-server; exits 1 without it)

#include <benchmark/benchmark.h>
#include <nats/nats.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "gapkit/bus/connection.hpp"
#include "gapkit/bus/key_value.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/testing/nats_server.hpp"

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kSubject = "gapkit.bench.echo";
const std::string kPayload(64, 'p');

gapkit::testing::NatsServer* g_server = nullptr;
double g_raw_round_trips_per_s[2] = {0, 0};  // Indexed by the asap argument.
double g_sub_per_request_round_trips_per_s = 0;
std::map<std::int64_t, double> g_sync_puts_per_s;  // By puts per iteration.

// Records each round trip and turns them into the reported counters.
class LatencyRecorder {
  public:
    void Add(Clock::duration took) { samples_.push_back(took); }

    // Returns operations (`per_sample` per recorded sample) per second over the measured loop.
    double Report(benchmark::State& state, Clock::duration total, const char* rate_name = "round_trips_per_s",
                  double per_sample = 1) {
        std::sort(samples_.begin(), samples_.end());
        auto micros = [](Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); };
        const double rate =
            samples_.empty() ? 0 : samples_.size() * per_sample / std::chrono::duration<double>(total).count();
        state.counters[rate_name] = rate;
        if (!samples_.empty()) {
            state.counters["p50_us"] = micros(samples_[samples_.size() / 2]);
            state.counters["p99_us"] = micros(samples_[std::min(samples_.size() - 1, samples_.size() * 99 / 100)]);
        }
        return rate;
    }

  private:
    std::vector<Clock::duration> samples_;
};

// CPU time of this whole process (every thread: both connections' nats.c threads, the responder).
double ProcessCpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& time) { return static_cast<double>(time.tv_sec) + time.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Runs `iteration` once per benchmark iteration and times each; a false from it stops the case
// with `error`. Reports and returns operations per second (`per_iteration` each) as `rate_name`.
double TimeIterations(benchmark::State& state, const std::function<bool()>& iteration, const char* error,
                      const char* rate_name = "round_trips_per_s", double per_iteration = 1) {
    LatencyRecorder recorder;
    const double cpu_start = ProcessCpuSeconds();
    const auto start = Clock::now();
    for (auto _ : state) {
        const auto sent = Clock::now();
        if (!iteration()) {
            state.SkipWithError(error);
            return 0;
        }
        recorder.Add(Clock::now() - sent);
    }
    const double operations = static_cast<double>(state.iterations()) * per_iteration;
    if (operations > 0) state.counters["process_cpu_us_per_op"] = (ProcessCpuSeconds() - cpu_start) * 1e6 / operations;
    return recorder.Report(state, Clock::now() - start, rate_name, per_iteration);
}

natsConnection* RawConnect(bool send_asap) {
    natsOptions* options = nullptr;
    if (natsOptions_Create(&options) != NATS_OK) return nullptr;
    const std::string url = "nats://" + g_server->HostPort();
    natsConnection* connection = nullptr;
    if (natsOptions_SetURL(options, url.c_str()) != NATS_OK ||
        natsOptions_SetUserInfo(options, "gapkit", "gapkit-test-password") != NATS_OK ||
        natsOptions_SetSendAsap(options, send_asap) != NATS_OK ||
        natsConnection_Connect(&connection, options) != NATS_OK) {
        connection = nullptr;
    }
    natsOptions_Destroy(options);
    return connection;
}

void RawEcho(natsConnection* connection, natsSubscription*, natsMsg* msg, void*) {
    natsConnection_Publish(connection, natsMsg_GetReply(msg), natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
    natsMsg_Destroy(msg);
}

// A raw nats.c requester, and a responder connection whose `handler` answers on `subject`.
struct RawPair {
    natsConnection* responder = nullptr;
    natsConnection* requester = nullptr;
    natsSubscription* sub = nullptr;

    RawPair(benchmark::State& state, bool send_asap, const char* subject, natsMsgHandler handler)
        : responder(RawConnect(send_asap)), requester(RawConnect(send_asap)) {
        if (responder == nullptr || requester == nullptr ||
            natsConnection_Subscribe(&sub, responder, subject, handler, nullptr) != NATS_OK ||
            natsConnection_Flush(responder) != NATS_OK) {
            state.SkipWithError("raw nats.c set-up failed");
        }
    }
    ~RawPair() {
        natsSubscription_Destroy(sub);
        natsConnection_Destroy(requester);
        natsConnection_Destroy(responder);
    }
};

void BM_RawRequestReply(benchmark::State& state) {
    const bool send_asap = state.range(0) != 0;
    RawPair raw(state, send_asap, kSubject, RawEcho);
    natsConnection* requester = raw.requester;
    LatencyRecorder recorder;
    const auto start = Clock::now();
    for (auto _ : state) {
        const auto sent = Clock::now();
        natsMsg* reply = nullptr;
        if (natsConnection_Request(&reply, requester, kSubject, kPayload.data(), static_cast<int>(kPayload.size()),
                                   5000) != NATS_OK) {
            state.SkipWithError("raw request failed");
            break;
        }
        recorder.Add(Clock::now() - sent);
        natsMsg_Destroy(reply);
    }
    g_raw_round_trips_per_s[send_asap] = recorder.Report(state, Clock::now() - start);
}

std::unique_ptr<gapkit::bus::Connection> BusConnect(const char* name, bool send_asap) {
    gapkit::bus::ConnectOptions options;
    options.host = g_server->HostPort();
    options.user = "gapkit";
    options.password = "gapkit-test-password";
    options.insecure = true;
    options.send_asap = send_asap;
    auto connection = gapkit::bus::Connection::Connect(name, options);
    return connection ? std::move(*connection) : nullptr;
}

// A bus requester, and a responder connection answering on `subject`: an echo, or (`stream`) one
// part and the end message.
struct BusPair {
    std::unique_ptr<gapkit::bus::Connection> responder;
    std::unique_ptr<gapkit::bus::Connection> requester;
    std::optional<gapkit::bus::Subscription> sub;

    BusPair(benchmark::State& state, bool send_asap, const char* subject, bool stream)
        : responder(BusConnect("gapkit_bench_responder", send_asap)),
          requester(BusConnect("gapkit_bench_requester", send_asap)) {
        if (!responder || !requester) {
            state.SkipWithError("bus connect failed");
            return;
        }
        auto* connection = responder.get();
        auto subscribed = responder->Subscribe(subject, [connection, stream](const gapkit::bus::Message& request) {
            (void)connection->Respond(request, stream ? kPayload : request.data);
            if (stream) (void)connection->EndStream(request);
        });
        if (subscribed && responder->Flush()) {
            sub = std::move(*subscribed);
        } else {
            state.SkipWithError("bus subscribe failed");
        }
    }
};

void BM_BusRequestReply(benchmark::State& state) {
    const bool send_asap = state.range(0) != 0;
    BusPair pair(state, send_asap, kSubject, false);
    if (!pair.sub) return;
    auto& requester = pair.requester;
    LatencyRecorder recorder;
    const auto start = Clock::now();
    for (auto _ : state) {
        const auto sent = Clock::now();
        auto reply = requester->Request(kSubject, kPayload, std::chrono::seconds(5));
        if (!reply) {
            state.SkipWithError(reply.error().ToString().c_str());
            break;
        }
        recorder.Add(Clock::now() - sent);
        benchmark::DoNotOptimize(reply->data.data());
    }
    const double rate = recorder.Report(state, Clock::now() - start);
    const double raw = g_raw_round_trips_per_s[send_asap];
    if (raw > 0) state.counters["ratio_vs_raw"] = rate / raw;
}

// Waits for a number of asynchronous completions (called on library threads).
class Countdown {
  public:
    void Reset(int count) {
        std::lock_guard lock(mutex_);
        left_ = count;
        failed_ = false;
    }
    void Done(bool ok) {
        std::lock_guard lock(mutex_);
        failed_ = failed_ || !ok;
        if (--left_ == 0) zero_.notify_all();
    }
    // False on a failure or when not all came within 10 s.
    bool Wait() {
        std::unique_lock lock(mutex_);
        return zero_.wait_for(lock, std::chrono::seconds(10), [this] { return left_ <= 0; }) && !failed_;
    }

  private:
    std::mutex mutex_;
    std::condition_variable zero_;
    int left_ = 0;
    bool failed_ = false;
};

constexpr const char* kStreamSubject = "gapkit.bench.stream";

// One part, then the end message: the smallest streamed reply.
void RawStreamResponder(natsConnection* connection, natsSubscription*, natsMsg* msg, void*) {
    natsConnection_Publish(connection, natsMsg_GetReply(msg), kPayload.data(), static_cast<int>(kPayload.size()));
    natsConnection_Publish(connection, natsMsg_GetReply(msg), nullptr, 0);
    natsMsg_Destroy(msg);
}

struct RawStreamCall {
    Countdown* done;
    natsSubscription* sub = nullptr;
};

void OnRawStreamPart(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* call = static_cast<RawStreamCall*>(closure);
    const bool end = msg == nullptr || natsMsg_GetDataLength(msg) == 0;
    natsMsg_Destroy(msg);
    if (end) {
        natsSubscription_Unsubscribe(call->sub);
        call->done->Done(true);
    }
}

void OnRawStreamComplete(void* closure) {
    auto* call = static_cast<RawStreamCall*>(closure);
    natsSubscription_Destroy(call->sub);
    delete call;
}

void BM_RawStreamPerRequestSub(benchmark::State& state) {
    RawPair raw(state, true, kStreamSubject, RawStreamResponder);
    Countdown done;
    g_sub_per_request_round_trips_per_s = TimeIterations(
        state,
        [&] {
            done.Reset(1);
            natsInbox* inbox = nullptr;
            natsInbox_Create(&inbox);
            auto* call = new RawStreamCall{&done};
            natsConnection_SubscribeTimeout(&call->sub, raw.requester, inbox, 10000, OnRawStreamPart, call);
            natsSubscription_SetOnCompleteCB(call->sub, OnRawStreamComplete, call);
            natsConnection_PublishRequest(raw.requester, kStreamSubject, inbox, kPayload.data(),
                                          static_cast<int>(kPayload.size()));
            natsInbox_Destroy(inbox);
            return done.Wait();
        },
        "raw stream failed");
}

void BM_BusRequestStreamAsync(benchmark::State& state) {
    BusPair pair(state, true, kStreamSubject, true);
    if (!pair.sub) return;
    Countdown done;
    const double rate = TimeIterations(
        state,
        [&] {
            done.Reset(1);
            return pair.requester
                       ->RequestStreamAsync(kStreamSubject, kPayload,
                                            {[](const gapkit::bus::Message&) { return true; },
                                             [&done](gapkit::common::Status end) { done.Done(end.has_value()); }})
                       .has_value() &&
                   done.Wait();
        },
        "bus stream failed");
    if (g_sub_per_request_round_trips_per_s > 0) {
        state.counters["ratio_vs_sub_per_request"] = rate / g_sub_per_request_round_trips_per_s;
    }
}

// Times `iteration` (puts of state.range(0) keys into a fresh bucket `name`, false on a failure);
// returns puts per second.
double RunPuts(benchmark::State& state, const char* name,
               const std::function<bool(gapkit::bus::KeyValue& bucket, std::int64_t puts)>& iteration) {
    const auto puts = state.range(0);
    auto connection = BusConnect(name, true);
    std::unique_ptr<gapkit::bus::KeyValue> bucket;
    if (connection) {
        if (auto bound = connection->KeyValueBucket({.bucket = name})) bucket = std::move(*bound);
    }
    if (!bucket) {
        state.SkipWithError("bucket set-up failed");
        return 0;
    }
    return TimeIterations(
        state, [&] { return iteration(*bucket, puts); }, "put failed", "puts_per_s", static_cast<double>(puts));
}

void BM_KvPutSync(benchmark::State& state) {
    g_sync_puts_per_s[state.range(0)] =
        RunPuts(state, "gapkit_bench_sync", [](gapkit::bus::KeyValue& bucket, std::int64_t puts) {
            for (std::int64_t i = 0; i < puts; ++i) {
                if (!bucket.Put(fmt::format("key-{}", i), kPayload)) return false;
            }
            return true;
        });
}

void BM_KvPutAsync(benchmark::State& state) {
    Countdown done;
    auto on_put = [&done](gapkit::common::Result<std::uint64_t> revision) { done.Done(revision.has_value()); };
    const double rate = RunPuts(state, "gapkit_bench_async", [&](gapkit::bus::KeyValue& bucket, std::int64_t puts) {
        done.Reset(static_cast<int>(puts));
        for (std::int64_t i = 0; i < puts; ++i) {
            if (!bucket.PutAsync(fmt::format("key-{}", i), kPayload, on_put)) done.Done(false);
        }
        return done.Wait();
    });
    const double sync = g_sync_puts_per_s[state.range(0)];
    if (sync > 0) state.counters["ratio_vs_sync"] = rate / sync;
}

BENCHMARK(BM_RawRequestReply)->Arg(0)->Arg(1)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_BusRequestReply)->Arg(0)->Arg(1)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_RawStreamPerRequestSub)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_BusRequestStreamAsync)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_KvPutSync)->Arg(1)->Arg(5)->Arg(32)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_KvPutAsync)->Arg(1)->Arg(5)->Arg(32)->MinTime(2.0)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    gapkit::common::SetLogLevel(gapkit::common::LogLevel::kError);
    auto server = gapkit::testing::NatsServer::Start({.tls = false, .jetstream = true});
    if (!server) {
        std::fprintf(stderr, "cannot start nats-server: %s\n", server.error().ToString().c_str());
        return 1;
    }
    g_server = server->get();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    server->reset();
    (void)gapkit::bus::CloseLibrary();
    return 0;
}
