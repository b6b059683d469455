#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "bus_test_support.hpp"
#include "gapkit/bus/connection.hpp"

namespace gapkit::bus {
namespace {

using namespace std::chrono_literals;
using common::ErrorCode;

using BusRequest = BusServerTest;

// Drains a stream into its parts; stops at the end message or the first error.
common::Result<std::vector<std::string>> ReadAll(ReplyStream& stream) {
    std::vector<std::string> parts;
    while (true) {
        auto part = stream.Next();
        if (!part) return common::Fail(part.error());
        if (!part->has_value()) return parts;
        parts.push_back((*part)->data);
    }
}

TEST_F(BusRequest, SingleReply) {
    auto responder = connection_->Subscribe("gapkit.test.single", [this](const Message& request) {
        (void)connection_->Respond(request, "pong:" + request.data);
    });
    ASSERT_TRUE(responder.has_value());
    auto reply = connection_->Request("gapkit.test.single", "ping", 2s);
    ASSERT_TRUE(reply.has_value()) << reply.error().ToString();
    EXPECT_EQ(reply->data, "pong:ping");
}

TEST_F(BusRequest, RepliesUseTheConnectionsInboxPrefix) {
    std::mutex mutex;
    std::vector<std::string> reply_subjects;
    auto responder = connection_->Subscribe("gapkit.test.prefix", [&](const Message& request) {
        {
            std::lock_guard lock(mutex);
            reply_subjects.push_back(request.reply);
        }
        (void)connection_->Respond(request, "part");
        (void)connection_->EndStream(request);
    });
    ASSERT_TRUE(responder.has_value());
    auto options = BusOptionsFor(*server_);
    options.inbox_prefix = "_INBOX_role";
    auto requester = Connection::Connect("gapkit_bus_test_prefix", options);
    ASSERT_TRUE(requester.has_value()) << requester.error().ToString();
    auto reply = (*requester)->Request("gapkit.test.prefix", "ping", 2s);
    ASSERT_TRUE(reply.has_value()) << reply.error().ToString();
    auto stream = (*requester)->RequestStream("gapkit.test.prefix", "ping");
    ASSERT_TRUE(stream.has_value()) << stream.error().ToString();
    auto parts = ReadAll(*stream);
    ASSERT_TRUE(parts.has_value()) << parts.error().ToString();
    std::lock_guard lock(mutex);
    ASSERT_EQ(reply_subjects.size(), 2u);
    for (const std::string& subject : reply_subjects) EXPECT_TRUE(subject.starts_with("_INBOX_role.")) << subject;
}

TEST_F(BusRequest, StreamedRepliesEndWithTheEmptyMessage) {
    auto responder = connection_->QueueSubscribe("gapkit.test.stream", "matchmaker", [this](const Message& request) {
        for (const char* part :
             {"\"Acknowledged\"", "{\"ProgressReport\":\"deploying (1s)\"}", "{\"SessionReady\":{}}"}) {
            (void)connection_->Respond(request, part);
        }
        (void)connection_->EndStream(request);
    });
    ASSERT_TRUE(responder.has_value());
    auto stream = connection_->RequestStream("gapkit.test.stream", "{\"client_ip\":null}");
    ASSERT_TRUE(stream.has_value()) << stream.error().ToString();
    auto parts = ReadAll(*stream);
    ASSERT_TRUE(parts.has_value()) << parts.error().ToString();
    ASSERT_EQ(parts->size(), 3u);
    EXPECT_EQ((*parts)[0], "\"Acknowledged\"");
    EXPECT_EQ((*parts)[2], "{\"SessionReady\":{}}");
    auto after_end = stream->Next();
    ASSERT_TRUE(after_end.has_value());
    EXPECT_FALSE(after_end->has_value());
}

TEST_F(BusRequest, StreamWithoutEndHitsTheIdleTimeout) {
    auto responder = connection_->Subscribe("gapkit.test.stall", [this](const Message& request) {
        (void)connection_->Respond(request, "first");  // ...and never the end message.
    });
    ASSERT_TRUE(responder.has_value());
    auto stream = connection_->RequestStream("gapkit.test.stall", "", {.overall_timeout = 10s, .idle_timeout = 200ms});
    ASSERT_TRUE(stream.has_value());
    auto first = stream->Next();
    ASSERT_TRUE(first.has_value() && first->has_value());
    auto stalled = stream->Next();
    ASSERT_FALSE(stalled.has_value());
    EXPECT_EQ(stalled.error().code(), ErrorCode::kTimeout);
    EXPECT_NE(stalled.error().message().find("idle"), std::string::npos) << stalled.error().message();
}

TEST_F(BusRequest, StreamThatKeepsTalkingHitsTheOverallTimeout) {
    std::atomic<bool> responder_done{false};
    auto responder = connection_->Subscribe("gapkit.test.chatty", [this, &responder_done](const Message& request) {
        for (int i = 0; i < 12; ++i) {
            (void)connection_->Respond(request, "progress");
            std::this_thread::sleep_for(50ms);
        }
        responder_done = true;
    });
    ASSERT_TRUE(responder.has_value());
    auto stream = connection_->RequestStream("gapkit.test.chatty", "", {.overall_timeout = 300ms, .idle_timeout = 1s});
    ASSERT_TRUE(stream.has_value());
    auto parts = ReadAll(*stream);
    ASSERT_FALSE(parts.has_value());
    EXPECT_EQ(parts.error().code(), ErrorCode::kTimeout);
    EXPECT_NE(parts.error().message().find("overall"), std::string::npos) << parts.error().message();
    // The handler outlives its subscription on nats.c's thread; let it finish before `this` goes.
    while (!responder_done) std::this_thread::sleep_for(10ms);
}

TEST_F(BusRequest, NoResponderIsReportedAtOnce) {
    auto stream = connection_->RequestStream("gapkit.test.nobody", "", {.overall_timeout = 30s, .idle_timeout = 30s});
    ASSERT_TRUE(stream.has_value());
    const auto start = std::chrono::steady_clock::now();
    auto part = stream->Next();
    ASSERT_FALSE(part.has_value());
    EXPECT_EQ(part.error().code(), ErrorCode::kUnavailable);
    EXPECT_NE(part.error().message().find("no responders"), std::string::npos) << part.error().message();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);  // A hang guard, not a speed check.

    auto single = connection_->Request("gapkit.test.nobody", "", 30s);
    ASSERT_FALSE(single.has_value());
    EXPECT_EQ(single.error().code(), ErrorCode::kUnavailable);
}

// Collects what RequestStreamAsync delivers on nats.c's thread.
struct AsyncCollector {
    std::mutex mutex;
    std::condition_variable ended;
    std::vector<std::string> parts;
    std::optional<common::Status> end;
    int ends = 0;

    StreamHandlers Handlers(int stop_after = -1) {
        return StreamHandlers{[this, stop_after](const Message& part) {
                                  std::lock_guard lock(mutex);
                                  parts.push_back(part.data);
                                  return stop_after < 0 || static_cast<int>(parts.size()) < stop_after;
                              },
                              [this](common::Status status) {
                                  std::lock_guard lock(mutex);
                                  end = std::move(status);
                                  ++ends;
                                  ended.notify_all();
                              }};
    }
    bool WaitEnd(std::chrono::milliseconds limit) {
        std::unique_lock lock(mutex);
        return ended.wait_for(lock, limit, [this] { return end.has_value(); });
    }
};

TEST_F(BusRequest, AsyncStreamDeliversPartsThenEnd) {
    auto responder = connection_->Subscribe("gapkit.test.async", [this](const Message& request) {
        (void)connection_->Respond(request, "one");
        (void)connection_->Respond(request, "two");
        (void)connection_->EndStream(request);
    });
    ASSERT_TRUE(responder.has_value());
    AsyncCollector collector;
    ASSERT_TRUE(connection_->RequestStreamAsync("gapkit.test.async", "go", collector.Handlers()).has_value());
    ASSERT_TRUE(collector.WaitEnd(5s));
    std::lock_guard lock(collector.mutex);
    EXPECT_EQ(collector.parts, (std::vector<std::string>{"one", "two"}));
    EXPECT_TRUE(collector.end->has_value());
}

// RespondLast: the final answer ends the stream itself; a late empty end message changes nothing.
TEST_F(BusRequest, ALastPartEndsTheStreamWithoutTheEmptyMessage) {
    auto responder = connection_->Subscribe("gapkit.test.last", [this](const Message& request) {
        (void)connection_->Respond(request, "progress");
        (void)connection_->RespondLast(request, "answer");
        (void)connection_->EndStream(request);
    });
    ASSERT_TRUE(responder.has_value());
    auto stream = connection_->RequestStream("gapkit.test.last", "", {.overall_timeout = 5s, .idle_timeout = 5s});
    ASSERT_TRUE(stream.has_value()) << stream.error().ToString();
    auto first = stream->Next();
    ASSERT_TRUE(first.has_value() && first->has_value());
    EXPECT_FALSE((*first)->last_part);
    auto last = stream->Next();
    ASSERT_TRUE(last.has_value() && last->has_value());
    EXPECT_EQ((*last)->data, "answer");
    EXPECT_TRUE((*last)->last_part);
    auto after = stream->Next();
    ASSERT_TRUE(after.has_value());
    EXPECT_FALSE(after->has_value());

    AsyncCollector collector;
    ASSERT_TRUE(connection_->RequestStreamAsync("gapkit.test.last", "", collector.Handlers()).has_value());
    ASSERT_TRUE(collector.WaitEnd(5s));
    std::this_thread::sleep_for(100ms);  // Room for the late end message to be (wrongly) delivered.
    std::lock_guard lock(collector.mutex);
    EXPECT_EQ(collector.parts, (std::vector<std::string>{"progress", "answer"}));
    EXPECT_TRUE(collector.end->has_value());
    EXPECT_EQ(collector.ends, 1);
}

TEST_F(BusRequest, RespondLastNeedsARequest) {
    auto sent = connection_->RespondLast(Message{"gapkit.test.plain", "", "x"}, "answer");
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(BusRequest, AsyncStreamReportsNoRespondersAndIdleTimeout) {
    AsyncCollector nobody;
    ASSERT_TRUE(connection_->RequestStreamAsync("gapkit.test.async.nobody", "", nobody.Handlers()).has_value());
    ASSERT_TRUE(nobody.WaitEnd(10s));
    EXPECT_EQ(nobody.end->error().code(), ErrorCode::kUnavailable);

    auto responder = connection_->Subscribe(
        "gapkit.test.async.stall", [this](const Message& request) { (void)connection_->Respond(request, "first"); });
    ASSERT_TRUE(responder.has_value());
    AsyncCollector stalled;
    ASSERT_TRUE(connection_
                    ->RequestStreamAsync("gapkit.test.async.stall", "", stalled.Handlers(),
                                         {.overall_timeout = 10s, .idle_timeout = 200ms})
                    .has_value());
    ASSERT_TRUE(stalled.WaitEnd(10s));
    EXPECT_EQ(stalled.end->error().code(), ErrorCode::kTimeout);
    EXPECT_EQ(stalled.parts.size(), 1u);
}

TEST_F(BusRequest, AsyncStreamStopsWhenHandlerSaysSo) {
    auto responder = connection_->Subscribe("gapkit.test.async.stop", [this](const Message& request) {
        for (int i = 0; i < 5; ++i) (void)connection_->Respond(request, "part");
        (void)connection_->EndStream(request);
    });
    ASSERT_TRUE(responder.has_value());
    AsyncCollector collector;
    ASSERT_TRUE(connection_->RequestStreamAsync("gapkit.test.async.stop", "", collector.Handlers(2)).has_value());
    EXPECT_FALSE(collector.WaitEnd(500ms)) << "on_end must not follow a stop";
    std::lock_guard lock(collector.mutex);
    EXPECT_EQ(collector.parts.size(), 2u);
}

}  // namespace
}  // namespace gapkit::bus
