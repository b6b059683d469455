#include "process_launcher.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include <fmt/core.h>

#include "gapkit/common/log.hpp"

extern char** environ;

namespace gapkit::edgegap_sim {
namespace {

using common::ErrorCode;
using common::MakeError;

std::vector<std::string> MergedEnvironment(const LaunchSpec& spec) {
    std::map<std::string, std::string> merged;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        std::string_view text(*entry);
        const auto equals = text.find('=');
        if (equals != std::string_view::npos) merged[std::string(text.substr(0, equals))] = text.substr(equals + 1);
    }
    for (const auto& [key, value] : spec.env) merged[key] = value;
    std::vector<std::string> lines;
    for (const auto& [key, value] : merged) lines.push_back(key + "=" + value);
    return lines;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    for (auto& text : strings) pointers.push_back(text.data());
    pointers.push_back(nullptr);
    return pointers;
}

std::string Describe(int status) {
    if (WIFEXITED(status)) return fmt::format("exited with code {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
    return "ended";
}

ProcessExit MakeExit(const std::string& request_id, int status) {
    const bool exited = WIFEXITED(status);
    const int code = exited ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
    return {request_id, Describe(status), code, exited && code == 0};
}

// Spawn attributes: a new process group, default signal handling and an empty signal mask, so a
// server started from a program that blocks or ignores signals still reacts to SIGTERM.
struct SpawnAttributes {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    SpawnAttributes(const std::string& log_path) {
        posix_spawnattr_init(&attr);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        posix_spawnattr_setpgroup(&attr, 0);
        sigset_t none, defaults;
        sigemptyset(&none);
        posix_spawnattr_setsigmask(&attr, &none);
        sigemptyset(&defaults);
        for (int signal : {SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGCHLD}) sigaddset(&defaults, signal);
        posix_spawnattr_setsigdefault(&attr, &defaults);
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
    }
    ~SpawnAttributes() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
};

}  // namespace

ProcessLauncher::ProcessLauncher(std::filesystem::path log_dir, const common::Clock& clock)
    : log_dir_(std::move(log_dir)), clock_(clock) {}

ProcessLauncher::~ProcessLauncher() { StopAll(std::chrono::milliseconds(0)); }

std::filesystem::path ProcessLauncher::LogPath(const std::string& request_id) const {
    return log_dir_ / (request_id + ".log");
}

common::Status ProcessLauncher::Launch(const LaunchSpec& spec) {
    const std::string program = ResolveCommand(spec.command);
    std::vector<std::string> argv_strings{program};
    argv_strings.insert(argv_strings.end(), spec.args.begin(), spec.args.end());
    std::vector<std::string> env_strings = MergedEnvironment(spec);
    auto argv = Pointers(argv_strings);
    auto envp = Pointers(env_strings);
    SpawnAttributes attributes(LogPath(spec.request_id).string());
    pid_t pid = 0;
    const int error =
        posix_spawnp(&pid, program.c_str(), &attributes.actions, &attributes.attr, argv.data(), envp.data());
    if (error != 0) return MakeError(ErrorCode::kIo, fmt::format("starting '{}': {}", program, std::strerror(error)));
    children_[spec.request_id] = Child{pid, std::nullopt};
    GAPKIT_LOG_INFO("edgegap-sim", "deployment {}: started pid {} ({}), log {}", spec.request_id, pid, program,
                    LogPath(spec.request_id).string());
    return common::Ok();
}

void ProcessLauncher::Terminate(const std::string& request_id, std::chrono::seconds grace) {
    auto found = children_.find(request_id);
    if (found == children_.end() || found->second.kill_at) return;
    ::kill(-found->second.pid, SIGTERM);
    found->second.kill_at = clock_.Now() + grace;
}

void ProcessLauncher::Kill(const std::string& request_id) {
    auto found = children_.find(request_id);
    if (found != children_.end()) ::kill(-found->second.pid, SIGKILL);
}

std::vector<ProcessExit> ProcessLauncher::Poll() {
    std::vector<ProcessExit> exits;
    const auto now = clock_.Now();
    for (auto it = children_.begin(); it != children_.end();) {
        siginfo_t info{};
        const int peeked = ::waitid(P_PID, static_cast<id_t>(it->second.pid), &info, WEXITED | WNOHANG | WNOWAIT);
        if (peeked < 0 || info.si_pid == it->second.pid) {
            // The group may hold helpers that outlive the leader; they go with it. The leader is
            // still an unreaped zombie here, so the group id cannot have been reused yet.
            ::kill(-it->second.pid, SIGKILL);
            int status = 0;
            const bool reaped = ::waitpid(it->second.pid, &status, 0) == it->second.pid;
            exits.push_back(reaped ? MakeExit(it->first, status) : ProcessExit{it->first, "vanished", 128 + SIGKILL});
            it = children_.erase(it);
            continue;
        }
        if (it->second.kill_at && now >= *it->second.kill_at) {
            ::kill(-it->second.pid, SIGKILL);
            it->second.kill_at.reset();
        }
        ++it;
    }
    return exits;
}

std::vector<ProcessExit> ProcessLauncher::StopAll(std::chrono::milliseconds grace) {
    for (const auto& [id, child] : children_) ::kill(-child.pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    std::vector<ProcessExit> exits;
    while (!children_.empty() && std::chrono::steady_clock::now() < deadline) {
        auto some = Poll();
        exits.insert(exits.end(), some.begin(), some.end());
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (const auto& [id, child] : children_) {
        ::kill(-child.pid, SIGKILL);
        int status = 0;
        ::waitpid(child.pid, &status, 0);
        exits.push_back(MakeExit(id, status));
    }
    children_.clear();
    return exits;
}

std::string ProcessLauncher::ReadLog(const std::string& request_id, std::size_t max_bytes) const {
    std::ifstream in(LogPath(request_id), std::ios::binary | std::ios::ate);
    if (!in) return {};
    const auto size = static_cast<std::size_t>(in.tellg());
    const std::size_t start = size > max_bytes ? size - max_bytes : 0;
    std::string text(size - start, '\0');
    in.seekg(static_cast<std::streamoff>(start));
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

std::string ResolveCommand(const std::string& command) {
    if (command.find('/') != std::string::npos) return command;
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto beside = self.parent_path() / command;
        if (::access(beside.c_str(), X_OK) == 0) return beside.string();
    }
    return command;
}

}  // namespace gapkit::edgegap_sim
