#include "gapkit/service/stop_signals.hpp"

#include <pthread.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "gapkit/common/log.hpp"

namespace gapkit::service {

StopSignals::StopSignals() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
}

StopSignals::~StopSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

int StopSignals::Wait() {
    int received = 0;
    // sigwait fails only for an invalid set, and ours is fixed; a spurious wake retries.
    while (sigwait(&signals_, &received) != 0) {
    }
    requested_ = true;
    return received;
}

bool StopSignals::Requested() {
    if (requested_) return true;
    const timespec now{0, 0};
    requested_ = sigtimedwait(&signals_, nullptr, &now) > 0;
    return requested_;
}

void StopWithin(const Program& program, std::chrono::seconds grace, const std::function<void()>& stop) {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::thread watchdog([&] {
        std::unique_lock lock(mutex);
        if (finished.wait_for(lock, grace + kShutdownSlack, [&] { return done; })) return;
        GAPKIT_LOG_ERROR(program.log_component, "shutdown did not finish within {} s; exiting",
                         (grace + kShutdownSlack).count());
        std::_Exit(ToInt(ExitCode::kFailure));
    });
    stop();
    {
        std::lock_guard lock(mutex);
        done = true;
    }
    finished.notify_one();
    watchdog.join();
}

void WaitThenStop(StopSignals& signals, const Program& program, std::chrono::seconds grace,
                  const std::function<void()>& stop) {
    const int signal = signals.Wait();
    GAPKIT_LOG_INFO(program.log_component, "signal {} received: stopping (grace {} s)", signal, grace.count());
    StopWithin(program, grace, stop);
}

}  // namespace gapkit::service
