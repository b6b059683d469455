#include "gapkit/bus/work_queue.hpp"

#include <gtest/gtest.h>

#include "bus_test_support.hpp"
#include "gapkit/bus/names.hpp"

namespace gapkit::bus {
namespace {

using namespace std::chrono_literals;

using BusWorkQueue = BusServerTest;

std::unique_ptr<WorkQueue> MakeQueue(Connection& connection, const std::string& stream) {
    auto queue = connection.WorkQueueStream({.stream = stream, .subjects = {stream + ".*"}});
    EXPECT_TRUE(queue.has_value()) << queue.error().ToString();
    return queue ? std::move(*queue) : nullptr;
}

TEST_F(BusWorkQueue, AckedWorkIsGone) {
    auto queue = MakeQueue(*connection_, "gapkit_wq_ack");
    ASSERT_TRUE(queue);
    auto sequence = queue->Publish("gapkit_wq_ack.session-1", "session-1");
    ASSERT_TRUE(sequence.has_value()) << sequence.error().ToString();
    auto consumer = queue->Consumer("worker");
    ASSERT_TRUE(consumer.has_value()) << consumer.error().ToString();
    auto items = (*consumer)->Fetch(10, 2s);
    ASSERT_TRUE(items.has_value()) << items.error().ToString();
    ASSERT_EQ(items->size(), 1u);
    EXPECT_EQ((*items)[0].data(), "session-1");
    EXPECT_EQ((*items)[0].subject(), "gapkit_wq_ack.session-1");
    EXPECT_EQ((*items)[0].delivery_count(), 1u);
    ASSERT_TRUE((*items)[0].Ack().has_value());
    auto again = (*consumer)->Fetch(10, 300ms);
    ASSERT_TRUE(again.has_value());
    EXPECT_TRUE(again->empty());
}

TEST_F(BusWorkQueue, NakedWorkIsRedelivered) {
    auto queue = MakeQueue(*connection_, "gapkit_wq_nak");
    ASSERT_TRUE(queue);
    ASSERT_TRUE(queue->Publish("gapkit_wq_nak.s", "retry me").has_value());
    auto consumer = queue->Consumer("worker");
    ASSERT_TRUE(consumer.has_value());
    auto first = (*consumer)->Fetch(1, 2s);
    ASSERT_TRUE(first.has_value() && first->size() == 1u);
    ASSERT_TRUE((*first)[0].Nak().has_value());
    auto second = (*consumer)->Fetch(1, 2s);
    ASSERT_TRUE(second.has_value() && second->size() == 1u);
    EXPECT_EQ((*second)[0].data(), "retry me");
    EXPECT_EQ((*second)[0].delivery_count(), 2u);
    EXPECT_TRUE((*second)[0].Ack().has_value());
}

TEST_F(BusWorkQueue, UnackedWorkIsRedeliveredAfterAckWait) {
    auto queue = MakeQueue(*connection_, "gapkit_wq_wait");
    ASSERT_TRUE(queue);
    ASSERT_TRUE(queue->Publish("gapkit_wq_wait.s", "forgotten").has_value());
    auto consumer = queue->Consumer("worker", {}, 500ms);
    ASSERT_TRUE(consumer.has_value());
    auto first = (*consumer)->Fetch(1, 2s);
    ASSERT_TRUE(first.has_value() && first->size() == 1u);
    auto second = (*consumer)->Fetch(1, 5s);  // Not settled: back after the 500 ms ack wait.
    ASSERT_TRUE(second.has_value() && second->size() == 1u);
    EXPECT_EQ((*second)[0].delivery_count(), 2u);
    EXPECT_TRUE((*second)[0].Term().has_value());
    auto after_term = (*consumer)->Fetch(1, 1s);
    ASSERT_TRUE(after_term.has_value());
    EXPECT_TRUE(after_term->empty());
}

TEST_F(BusWorkQueue, DeleteSessionQueueUsesTheSystemNames) {
    auto queue = connection_->WorkQueueStream(names::DeleteSessionQueueConfig());
    ASSERT_TRUE(queue.has_value()) << queue.error().ToString();
    auto again = connection_->WorkQueueStream(names::DeleteSessionQueueConfig());
    ASSERT_TRUE(again.has_value()) << again.error().ToString();
    auto subject = names::DeleteSessionSubject("abc");
    ASSERT_TRUE(subject.has_value());
    EXPECT_TRUE((*queue)->Publish(*subject, "abc").has_value());
}

}  // namespace
}  // namespace gapkit::bus
