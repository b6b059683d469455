#pragma once

// The side effects of the simulated world, behind an interface so the world's logic is tested
// with a fake and a manual clock (model_test.cpp) and runs for real with processes and sockets.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gapkit/common/result.hpp"

namespace gapkit::edgegap_sim {

/// What to start for one deployment.
struct LaunchSpec {
    std::string request_id;
    std::string command;                                   // Program; a bare name is resolved by the runtime.
    std::vector<std::string> args;                         // argv[1..].
    std::vector<std::pair<std::string, std::string>> env;  // Added to (and overriding) the inherited env.
};

/// How a deployment's process ended.
struct ProcessExit {
    std::string request_id;
    std::string how;     // "exited with code 0", "killed by signal 9"
    int exit_code = 0;   // The exit code, or 128 + signal number (the shell's convention).
    bool clean = false;  // Exited with code 0.
};

class Runtime {
  public:
    virtual ~Runtime() = default;
    /// A currently free port on the public address for `protocol` ("UDP", "TCP", ...).
    virtual common::Result<std::uint16_t> AllocatePort(std::string_view protocol) = 0;
    /// Starts the deployment's process. Its exit is reported later to `World::OnProcessExit`.
    virtual common::Status Launch(const LaunchSpec& spec) = 0;
    /// SIGTERM now, SIGKILL once `grace` has passed if the process still runs.
    virtual void Terminate(const std::string& request_id, std::chrono::seconds grace) = 0;
    /// SIGKILL now (the crash fault).
    virtual void Kill(const std::string& request_id) = 0;
    /// The end of the process's captured stdout and stderr (at most `max_bytes`); "" when none.
    virtual std::string ReadLog(const std::string& request_id, std::size_t max_bytes) = 0;
    /// POSTs `json_body` to `url` in the background (10 s timeout); failures are only logged.
    virtual void PostWebhook(const std::string& url, std::string json_body) = 0;
};

}  // namespace gapkit::edgegap_sim
