#pragma once

// Starts deployment processes and ends them the way Edgegap ends containers: SIGTERM, then
// SIGKILL after the grace period. Each process runs in its own process group (so helpers it
// spawns are signalled too), with stdin from /dev/null and stdout+stderr appended to
// `<log_dir>/<request_id>.log`. Only the pids started here are reaped (waitpid per pid), so it
// coexists with other child processes of the host program. Not thread-safe: one owner thread.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gapkit/common/clock.hpp"
#include "runtime.hpp"

namespace gapkit::edgegap_sim {

class ProcessLauncher {
  public:
    ProcessLauncher(std::filesystem::path log_dir, const common::Clock& clock);
    ~ProcessLauncher();  // Calls StopAll with no grace.

    common::Status Launch(const LaunchSpec& spec);
    void Terminate(const std::string& request_id, std::chrono::seconds grace);
    void Kill(const std::string& request_id);
    /// Sends overdue SIGKILLs and reaps exited processes.
    std::vector<ProcessExit> Poll();
    /// SIGTERM to all, waits up to `grace` for them to exit, SIGKILLs the rest and reaps them. Blocks.
    std::vector<ProcessExit> StopAll(std::chrono::milliseconds grace);

    std::filesystem::path LogPath(const std::string& request_id) const;
    /// The last `max_bytes` of the process's log; "" when there is none.
    std::string ReadLog(const std::string& request_id, std::size_t max_bytes) const;
    bool Running(const std::string& request_id) const { return children_.count(request_id) != 0; }

  private:
    struct Child {
        pid_t pid = 0;
        std::optional<common::Clock::SteadyTime> kill_at;
    };

    const std::filesystem::path log_dir_;
    const common::Clock& clock_;
    std::map<std::string, Child> children_;
};

/// Returns a port that is free right now on `ip` for `protocol` (UDP, TCP or both for "TCP/UDP";
/// HTTP, HTTPS, WS and WSS are TCP). The port is released before returning: the process binds it.
common::Result<std::uint16_t> AllocateFreePort(const std::string& ip, std::string_view protocol);

/// Resolves a bare program name against the folder of the running binary, else leaves it for PATH.
std::string ResolveCommand(const std::string& command);

}  // namespace gapkit::edgegap_sim
