#pragma once

// One background thread that runs blocking jobs (bus and HTTP calls) in order, and hands each
// job's completion back to the game thread, which runs it inside `GameServer::Update`.
//
// Threads: `Post`, `TakeCompletions`, `WaitIdle` and `Join` are called by the game thread only;
// jobs run on the worker thread and never touch game-thread state: they return a completion.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace gapkit::server {

class Worker {
  public:
    /// Runs on the game thread inside `Update`; may be empty.
    using Completion = std::function<void()>;
    /// Runs on the worker thread.
    using Job = std::function<Completion()>;

    Worker();
    ~Worker();  // Joins (after running every queued job).
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void Post(Job job);
    std::vector<Completion> TakeCompletions();
    /// Blocks until no job is queued or running.
    void WaitIdle();
    /// Runs the queued jobs, then ends the thread. Later `Post`s are dropped.
    void Join();

  private:
    void Run();

    std::mutex mutex_;
    std::condition_variable wake_;  // Signalled on a new job, idleness and shutdown.
    // Guarded by mutex_.
    std::deque<Job> jobs_;
    std::vector<Completion> completions_;
    bool busy_ = false;
    bool stopping_ = false;
    // Declared last: started after the members above exist.
    std::thread thread_;
};

}  // namespace gapkit::server
