#include "calls.hpp"

namespace gapkit::edgegap_sim {

void CallCounters::Count(std::string_view method, std::string_view route, std::string_view status,
                         std::string_view fault) {
    Key key{std::string(method), std::string(route), std::string(status), std::string(fault)};
    std::lock_guard lock(mutex_);
    ++counts_[std::move(key)];
}

std::vector<CallCount> CallCounters::Snapshot() const {
    std::lock_guard lock(mutex_);
    std::vector<CallCount> calls;
    calls.reserve(counts_.size());
    for (const auto& [key, count] : counts_) {
        const auto& [method, route, status, fault] = key;
        calls.push_back(CallCount{method, route, status, fault, count});
    }
    return calls;
}

void CallCounters::Reset() {
    std::lock_guard lock(mutex_);
    counts_.clear();
}

std::uint64_t SumCalls(const std::vector<CallCount>& calls, std::string_view method, std::string_view route,
                       std::string_view status) {
    std::uint64_t sum = 0;
    for (const auto& call : calls) {
        if (call.method == method && call.route == route && (status.empty() || call.status == status)) {
            sum += call.count;
        }
    }
    return sum;
}

}  // namespace gapkit::edgegap_sim
