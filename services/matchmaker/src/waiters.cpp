#include "waiters.hpp"

#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gapkit::matchmaker {

namespace asio = boost::asio;

namespace {
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

asio::awaitable<void> Waiter::Sleep(std::chrono::nanoseconds delay) {
    if (!woken_) {
        timer_.expires_after(delay);
        auto [ignored] = co_await timer_.async_wait(kUseTuple);
        (void)ignored;  // Expired or cancelled by Wake: either way the caller polls next.
    }
    woken_ = false;
}

void Waiter::Wake(const std::shared_ptr<Waiter>& self) {
    // The flag, not only the cancel: a webhook that lands between two sleeps must end the next one.
    asio::post(timer_.get_executor(), [self] {
        self->woken_ = true;
        self->timer_.cancel();
    });
}

void WaiterRegistry::Add(const std::string& session_id, std::shared_ptr<Waiter> waiter) {
    std::lock_guard lock(mutex_);
    waiters_[session_id] = std::move(waiter);
}

void WaiterRegistry::Remove(const std::string& session_id) {
    std::lock_guard lock(mutex_);
    waiters_.erase(session_id);
}

bool WaiterRegistry::Wake(const std::string& session_id) {
    std::shared_ptr<Waiter> waiter;
    {
        std::lock_guard lock(mutex_);
        auto found = waiters_.find(session_id);
        if (found == waiters_.end()) return false;
        waiter = found->second;
    }
    waiter->Wake(waiter);
    return true;
}

void WaiterRegistry::WakeAll() {
    std::vector<std::shared_ptr<Waiter>> all;
    {
        std::lock_guard lock(mutex_);
        for (auto& [id, waiter] : waiters_) all.push_back(waiter);
    }
    for (auto& waiter : all) waiter->Wake(waiter);
}

}  // namespace gapkit::matchmaker
