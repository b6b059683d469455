#include "pending_facts.hpp"

#include <algorithm>
#include <cmath>

#include "gapkit/common/log.hpp"

namespace gapkit::server {
namespace {

bool IsFinal(const common::Status& answer) {
    return answer || answer.error().code() == common::ErrorCode::kPermissionDenied ||
           answer.error().code() == common::ErrorCode::kInvalidArgument;
}

double DelayAfter(const RetryPolicy& policy, int attempts) {
    return std::min(policy.max_delay_seconds, policy.first_delay_seconds * std::pow(2.0, attempts - 1));
}

}  // namespace

void PendingFacts::Add(std::string what, Send send, RetryPolicy policy) {
    const std::uint64_t id = next_id_++;
    Post(id, facts_[id] = Fact{std::move(what), std::move(send), policy, 0, now_seconds_, false});
}

void PendingFacts::SendDue(double now_seconds) {
    now_seconds_ = now_seconds;
    if (finishing_) return;
    for (auto& [id, fact] : facts_) {
        if (!fact.in_flight && fact.due_seconds <= now_seconds) Post(id, fact);
    }
}

void PendingFacts::Finish() {
    finishing_ = true;
    for (auto& [id, fact] : facts_) {
        if (!fact.in_flight) Post(id, fact);
    }
}

void PendingFacts::Post(std::uint64_t id, Fact& fact) {
    fact.in_flight = true;
    ++fact.attempts;
    worker_.Post([this, id, send = fact.send]() -> Worker::Completion {
        common::Status answer = send();
        return [this, id, answer = std::move(answer)] { OnAnswer(id, answer); };
    });
}

void PendingFacts::OnAnswer(std::uint64_t id, const common::Status& answer) {
    auto found = facts_.find(id);
    if (found == facts_.end()) return;
    Fact& fact = found->second;
    fact.in_flight = false;
    const bool exhausted = fact.policy.max_attempts > 0 && fact.attempts >= fact.policy.max_attempts;
    if (answer) {
        GAPKIT_LOG_INFO("server", "{}: accepted (attempt {})", fact.what, fact.attempts);
    } else if (IsFinal(answer) || exhausted || finishing_) {
        GAPKIT_LOG_ERROR("server", "{}: giving up after {} attempt(s): {}", fact.what, fact.attempts,
                         answer.error().ToString());
    } else {
        fact.due_seconds = now_seconds_ + DelayAfter(fact.policy, fact.attempts);
        // The first failure is worth a warning ("no responders" while the matchmaker starts); the
        // rest would only repeat it every few seconds.
        if (fact.attempts == 1) {
            GAPKIT_LOG_WARN("server", "{}: {} (will retry)", fact.what, answer.error().ToString());
        } else {
            GAPKIT_LOG_DEBUG("server", "{}: attempt {}: {}", fact.what, fact.attempts, answer.error().ToString());
        }
        return;
    }
    facts_.erase(found);
}

}  // namespace gapkit::server
