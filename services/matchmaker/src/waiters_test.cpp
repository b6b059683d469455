// The waiter registry on a real io_context: webhook news reaching a waiting request, news that
// overtook the request kept for it, and the bound on kept news.

#include "waiters.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

namespace gapkit::matchmaker {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr std::size_t kBodyBytes = 1000;  // About an Edgegap session webhook's size.

edgegap::Session News(const std::string& session_id, const std::string& status) {
    edgegap::Session session;
    session.session_id = session_id;
    session.status = status;
    session.state = edgegap::ParseSessionState(status);
    session.ready = session.state == edgegap::SessionState::kReady;
    return session;
}

class WaiterRegistryTest : public ::testing::Test {
  protected:
    // Runs `work` on the waiter's strand and returns its result.
    template <typename Work>
    auto OnStrand(Work work) {
        auto done = asio::co_spawn(strand_, work, asio::use_future);
        io_.run();
        io_.restart();
        return done.get();
    }

    asio::io_context io_;
    asio::strand<asio::io_context::executor_type> strand_ = asio::make_strand(io_);
    std::shared_ptr<Waiter> waiter_ = std::make_shared<Waiter>(strand_);
    WaiterRegistry registry_;
};

TEST_F(WaiterRegistryTest, NewsWakesTheSleepingWaiterAndIsHandedToIt) {
    registry_.Add("s1", waiter_);
    const auto started = std::chrono::steady_clock::now();
    auto news = OnStrand([&]() -> asio::awaitable<std::optional<edgegap::Session>> {
        EXPECT_TRUE(registry_.Deliver(News("s1", "Ready"), kBodyBytes));
        co_await waiter_->Sleep(30s);
        co_return waiter_->TakeNews();
    });
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
    ASSERT_TRUE(news);
    EXPECT_TRUE(news->ready);
    EXPECT_EQ(registry_.early_news(), 0u);
}

TEST_F(WaiterRegistryTest, NewsThatOvertookTheRequestIsHandedToItsWaiter) {
    EXPECT_FALSE(registry_.Deliver(News("s1", "Waiting"), kBodyBytes));
    EXPECT_FALSE(registry_.Deliver(News("s1", "Ready"), kBodyBytes));
    EXPECT_FALSE(registry_.Deliver(News("someone-elses", "Ready"), kBodyBytes));
    EXPECT_EQ(registry_.early_news(), 2u);
    auto news = OnStrand([&]() -> asio::awaitable<std::optional<edgegap::Session>> {
        registry_.Add("s1", waiter_);
        co_return waiter_->TakeNews();
    });
    ASSERT_TRUE(news);
    EXPECT_EQ(news->status, "Ready");
    EXPECT_EQ(registry_.early_news(), 1u);
}

TEST_F(WaiterRegistryTest, TakenNewsDoesNotCutTheNextSleepShort) {
    registry_.Add("s1", waiter_);
    registry_.Deliver(News("s1", "Waiting"), kBodyBytes);
    const auto started = std::chrono::steady_clock::now();
    OnStrand([&]() -> asio::awaitable<void> {
        EXPECT_TRUE(waiter_->TakeNews());
        co_await waiter_->Sleep(200ms);
        EXPECT_FALSE(waiter_->TakeNews());
    });
    EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
}

TEST_F(WaiterRegistryTest, AFinalStateIsNotReplacedByALateWaiting) {
    EXPECT_EQ(Newest(News("s", "Ready"), News("s", "Waiting")).status, "Ready");
    EXPECT_EQ(Newest(News("s", "Error"), News("s", "Waiting")).status, "Error");
    EXPECT_EQ(Newest(News("s", "Waiting"), News("s", "Ready")).status, "Ready");
    EXPECT_EQ(Newest(News("s", "Ready"), News("s", "Error")).status, "Error");
}

TEST_F(WaiterRegistryTest, KeepsOnlyTheNewestEarlyNews) {
    for (std::size_t i = 0; i < kMaxEarlyNews + 10; ++i)
        registry_.Deliver(News("s" + std::to_string(i), "Ready"), kBodyBytes);
    EXPECT_EQ(registry_.early_news(), kMaxEarlyNews);
    auto oldest = OnStrand([&]() -> asio::awaitable<std::optional<edgegap::Session>> {
        registry_.Add("s0", waiter_);
        co_return waiter_->TakeNews();
    });
    EXPECT_FALSE(oldest);
    auto newest = OnStrand([&]() -> asio::awaitable<std::optional<edgegap::Session>> {
        registry_.Add("s" + std::to_string(kMaxEarlyNews + 9), waiter_);
        co_return waiter_->TakeNews();
    });
    EXPECT_TRUE(newest);
}

TEST_F(WaiterRegistryTest, KeepsAtMostItsBytesOfEarlyNews) {
    const std::size_t big = kMaxEarlyNewsBytes / 4;
    for (int i = 0; i < 6; ++i) registry_.Deliver(News("big" + std::to_string(i), "Ready"), big);
    EXPECT_EQ(registry_.early_news(), 4u);
    registry_.Deliver(News("huge", "Ready"), kMaxEarlyNewsBytes + 1);  // Never kept, pushes all out.
    EXPECT_EQ(registry_.early_news(), 0u);
    registry_.Deliver(News("small", "Ready"), kBodyBytes);
    EXPECT_EQ(registry_.early_news(), 1u);
}

}  // namespace
}  // namespace gapkit::matchmaker
