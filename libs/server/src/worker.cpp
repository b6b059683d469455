#include "worker.hpp"

#include <exception>

#include "gapkit/common/log.hpp"

namespace gapkit::server {

Worker::Worker() : thread_([this] { Run(); }) {}

Worker::~Worker() { Join(); }

void Worker::Post(Job job) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        jobs_.push_back(std::move(job));
    }
    wake_.notify_all();
}

std::vector<Worker::Completion> Worker::TakeCompletions() {
    std::lock_guard lock(mutex_);
    return std::exchange(completions_, {});
}

void Worker::WaitIdle() {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [this] { return jobs_.empty() && !busy_; });
}

void Worker::Join() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Worker::Run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // Stopping and nothing left to do.
        Job job = std::move(jobs_.front());
        jobs_.pop_front();
        busy_ = true;
        lock.unlock();
        Completion completion;
        // A job is library code, but an escaped exception would end the process: log it instead.
        try {
            completion = job();
        } catch (const std::exception& e) {
            GAPKIT_LOG_ERROR("server", "background job failed: {}", e.what());
        }
        lock.lock();
        if (completion) completions_.push_back(std::move(completion));
        busy_ = false;
        wake_.notify_all();
    }
}

}  // namespace gapkit::server
