#pragma once

/// @file
/// Starting other programs from tests: run-to-completion with captured output (`RunProcess`) and
/// long-running children such as `nats-server` (`ChildProcess`).
///
/// Both are safe in a process that already runs threads (nats.c): nothing but system calls runs
/// between fork and exec.
/// Threads: every function may be called from any thread; one `ChildProcess` object belongs to one
/// thread at a time.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gapkit/common/result.hpp"
#include "gapkit/testing/scoped_env.hpp"

namespace gapkit::testing {

/// What a finished program did.
struct ProcessResult {
    int exit_code = -1;       ///< The exit status; 128 + N when killed by signal N.
    bool timed_out = false;   ///< True when `RunProcess` had to kill it at the timeout.
    std::string stdout_text;  ///< Everything the program wrote to stdout.
    std::string stderr_text;  ///< Everything the program wrote to stderr.
};

/// Runs `argv` (argv[0] is looked up on PATH) with this process's environment changed by `env`,
/// captures stdout and stderr, and waits at most `timeout`, after which the program is killed
/// (SIGKILL) and `timed_out` is set. Fails only when the program cannot be started.
common::Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const EnvOverrides& env = {},
                                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Returns the full path of `program` found on PATH (or `program` itself when it contains '/'
/// and is executable), or nothing.
std::optional<std::filesystem::path> FindProgram(const std::string& program);

/// A child process that runs until stopped. Its stdout and stderr go to `log_file` (appended).
/// The destructor stops it. It also gets SIGTERM when the thread that spawned it ends (Linux
/// PR_SET_PDEATHSIG), so a crashed test leaves no server behind: spawn from a thread that outlives
/// the child, such as the test's main thread. Movable, not copyable.
class ChildProcess {
  public:
    static common::Result<ChildProcess> Spawn(const std::vector<std::string>& argv,
                                              const std::filesystem::path& log_file, const EnvOverrides& env = {});

    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&& other) noexcept;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();

    /// True while the child has not exited (reaps it when it has).
    bool Running();

    /// Sends SIGTERM, waits up to `grace` for it to exit, then SIGKILLs it. Returns the exit code
    /// (128 + signal when killed). Calling it again after the child is gone returns the same code.
    int Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

    /// Sends SIGKILL at once (a crash: no clean-up runs in the child) and reaps it. Returns the exit
    /// code as `Stop` does. Idempotent.
    int Kill();

    pid_t pid() const { return pid_; }

  private:
    explicit ChildProcess(pid_t pid) : pid_(pid) {}

    pid_t pid_ = -1;      ///< -1 once reaped or moved from.
    int exit_code_ = -1;  ///< Valid once reaped.
};

}  // namespace gapkit::testing
