#include "waiters.hpp"

#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gapkit::matchmaker {

namespace asio = boost::asio;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

bool Final(const edgegap::Session& session) {
    return session.ready || session.state == edgegap::SessionState::kError ||
           session.state == edgegap::SessionState::kUnprocessable;
}

}  // namespace

edgegap::Session Newest(edgegap::Session older, edgegap::Session newer) {
    return Final(older) && !Final(newer) ? std::move(older) : std::move(newer);
}

asio::awaitable<void> Waiter::Sleep(std::chrono::nanoseconds delay) {
    if (!woken_) {
        timer_.expires_after(delay);
        auto [ignored] = co_await timer_.async_wait(kUseTuple);
        (void)ignored;  // Expired or cancelled by Wake: either way the caller looks again.
    }
    woken_ = false;
}

void Waiter::Wake(const std::shared_ptr<Waiter>& self, std::optional<edgegap::Session> news) {
    // The flag, not only the cancel: a webhook that lands between two sleeps must end the next one.
    asio::post(timer_.get_executor(), [self, news = std::move(news)]() mutable {
        if (news) self->Keep(std::move(*news));
        self->woken_ = true;
        self->timer_.cancel();
    });
}

std::optional<edgegap::Session> Waiter::TakeNews() {
    if (news_) woken_ = false;
    return std::exchange(news_, std::nullopt);
}

void Waiter::Keep(edgegap::Session news) {
    news_ = news_ ? Newest(std::move(*news_), std::move(news)) : std::move(news);
}

void WaiterRegistry::Add(const std::string& session_id, std::shared_ptr<Waiter> waiter) {
    std::lock_guard lock(mutex_);
    if (auto early = early_.find(session_id); early != early_.end()) {
        waiter->Keep(std::move(early->second.news));
        EraseEarly(session_id);
    }
    waiters_[session_id] = std::move(waiter);
}

void WaiterRegistry::Remove(const std::string& session_id) {
    std::lock_guard lock(mutex_);
    waiters_.erase(session_id);
}

bool WaiterRegistry::Deliver(edgegap::Session news, std::size_t body_bytes) {
    std::shared_ptr<Waiter> waiter;
    {
        std::lock_guard lock(mutex_);
        auto found = waiters_.find(news.session_id);
        if (found == waiters_.end()) {
            Keep(std::move(news), body_bytes);
            return false;
        }
        waiter = found->second;
    }
    waiter->Wake(waiter, std::move(news));
    return true;
}

void WaiterRegistry::Keep(edgegap::Session news, std::size_t body_bytes) {
    auto [kept, added] = early_.try_emplace(news.session_id);
    if (added) {
        early_order_.push_back(kept->first);
        kept->second = {std::move(news), body_bytes};
    } else {
        early_bytes_ -= kept->second.body_bytes;
        kept->second = {Newest(std::move(kept->second.news), std::move(news)), body_bytes};
    }
    early_bytes_ += body_bytes;
    while (!early_order_.empty() && (early_order_.size() > kMaxEarlyNews || early_bytes_ > kMaxEarlyNewsBytes)) {
        EraseEarly(early_order_.front());
        early_order_.pop_front();
    }
}

void WaiterRegistry::EraseEarly(const std::string& session_id) {
    auto found = early_.find(session_id);
    if (found == early_.end()) return;
    early_bytes_ -= found->second.body_bytes;
    early_.erase(found);
}

void WaiterRegistry::WakeAll() {
    std::vector<std::shared_ptr<Waiter>> all;
    {
        std::lock_guard lock(mutex_);
        for (auto& [id, waiter] : waiters_) all.push_back(waiter);
    }
    for (auto& waiter : all) waiter->Wake(waiter);
}

std::size_t WaiterRegistry::early_news() const {
    std::lock_guard lock(mutex_);
    return early_.size();
}

}  // namespace gapkit::matchmaker
