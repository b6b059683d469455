#include "webhook.hpp"

#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>

#include "edgegap_sim_test_support.hpp"

namespace gapkit::edgegap_sim {
namespace {

using namespace std::chrono_literals;

// A sender on its own I/O thread, as the simulator runs it.
class WebhookSenderTest : public ::testing::Test {
  protected:
    ~WebhookSenderTest() override {
        work_.reset();
        ioc_.stop();
        thread_.join();
    }
    // Posts `count` webhooks one after the other, each once the previous one arrived and its
    // connection is back in the pool (the receiver records a body before it answers, so the
    // sender may still be reading that answer when the body shows).
    void PostInTurn(const testing::WebhookReceiver& receiver, int count) {
        for (int i = 0; i < count; ++i) {
            sender_.Post(receiver.url(), "{\"n\":" + std::to_string(i) + "}");
            ASSERT_TRUE(testing::WaitFor([&] { return static_cast<int>(receiver.bodies().size()) == i + 1; }))
                << "webhook " << i << " never arrived";
            ASSERT_TRUE(testing::WaitFor([&] { return sender_.idle_connections() == 1; }))
                << "webhook " << i << "'s connection was not kept";
        }
    }

    boost::asio::io_context ioc_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{ioc_.get_executor()};
    WebhookSender sender_{ioc_, 10s};
    std::thread thread_{[this] { ioc_.run(); }};
};

TEST_F(WebhookSenderTest, KeepsTheConnectionForTheNextWebhook) {
    testing::WebhookReceiver receiver(/*keep_alive=*/true);
    PostInTurn(receiver, 3);
    EXPECT_EQ(receiver.connections(), 1);
    EXPECT_EQ(receiver.bodies().back(), "{\"n\":2}");
}

// The receiver closed the kept connection (its idle timeout): the webhook goes out again on a new
// one, and is delivered once.
TEST_F(WebhookSenderTest, ResendsOnANewConnectionWhenTheKeptOneWasClosed) {
    testing::WebhookReceiver receiver(/*keep_alive=*/false);
    PostInTurn(receiver, 3);
    EXPECT_EQ(receiver.connections(), 3);
    EXPECT_EQ(receiver.bodies(), (std::vector<std::string>{"{\"n\":0}", "{\"n\":1}", "{\"n\":2}"}));
}

TEST_F(WebhookSenderTest, AnUnsupportedUrlIsDroppedWithoutACrash) {
    sender_.Post("https://127.0.0.1:1/hook", "{}");
    sender_.Post("not a url", "{}");
    testing::WebhookReceiver receiver(/*keep_alive=*/true);
    PostInTurn(receiver, 1);
}

}  // namespace
}  // namespace gapkit::edgegap_sim
