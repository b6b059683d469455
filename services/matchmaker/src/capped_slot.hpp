#pragma once

// `CappedSlot`: one holder of a capped resource (sessions being created, Edgegap digest checks),
// counted in a shared atomic for as long as the slot lives. Threads: any; the counter is atomic.

#include <atomic>

#include "gapkit/common/assert.hpp"

namespace gapkit::matchmaker {

/// Takes a place under `cap` in `counter`, or none when `cap` places are taken (then it is empty
/// and counts nothing). Gives the place back when destroyed.
class CappedSlot {
  public:
    CappedSlot(std::atomic<int>& counter, int cap) : counter_(counter) {
        held_ = counter_.fetch_add(1) < cap;
        if (!held_) counter_.fetch_sub(1);
    }
    ~CappedSlot() {
        if (!held_) return;
        const int before = counter_.fetch_sub(1);
        GAPKIT_ASSERT(before > 0, "a held slot is counted until it is given back");
    }
    CappedSlot(const CappedSlot&) = delete;
    CappedSlot& operator=(const CappedSlot&) = delete;
    explicit operator bool() const { return held_; }

  private:
    std::atomic<int>& counter_;
    bool held_ = false;
};

}  // namespace gapkit::matchmaker
