#include "gapkit/testing/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

#include <fmt/core.h>

extern char** environ;

namespace gapkit::testing {
namespace {

using common::ErrorCode;
using common::MakeError;
using common::Result;

// Owns the strings that posix_spawn's char* arrays point into.
class CStringArray {
  public:
    explicit CStringArray(std::vector<std::string> strings) : strings_(std::move(strings)) {
        for (auto& text : strings_) pointers_.push_back(text.data());
        pointers_.push_back(nullptr);
    }
    char* const* data() { return pointers_.data(); }

  private:
    std::vector<std::string> strings_;
    std::vector<char*> pointers_;
};

CStringArray MergedEnvironment(const EnvOverrides& env) {
    std::map<std::string, std::string> merged;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text(*entry);
        const auto equals = text.find('=');
        if (equals != std::string::npos) merged[text.substr(0, equals)] = text.substr(equals + 1);
    }
    for (const auto& [name, value] : env) {
        if (value) {
            merged[name] = *value;
        } else {
            merged.erase(name);
        }
    }
    std::vector<std::string> lines;
    for (const auto& [name, value] : merged) lines.push_back(name + "=" + value);
    return CStringArray(std::move(lines));
}

int DecodeWaitStatus(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

// Spawns argv with the given file actions; the actions decide where stdout and stderr go.
Result<pid_t> Spawn(const std::vector<std::string>& argv, const EnvOverrides& env,
                    const posix_spawn_file_actions_t* actions) {
    if (argv.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty argv");
    CStringArray args(argv);
    CStringArray envp = MergedEnvironment(env);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, argv[0].c_str(), actions, nullptr, args.data(), envp.data());
    if (rc != 0) {
        return MakeError(ErrorCode::kIo, fmt::format("cannot start {}: {}", argv[0], std::strerror(rc)));
    }
    return pid;
}

// Reads both pipes until EOF or the deadline; returns false on timeout.
bool DrainPipes(std::array<int, 2> fds, std::array<std::string*, 2> sinks,
                std::chrono::steady_clock::time_point deadline) {
    int open_count = 2;
    while (open_count > 0) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        std::array<pollfd, 2> polls{{{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}}};
        if (::poll(polls.data(), polls.size(), static_cast<int>(left.count())) < 0 && errno != EINTR) return false;
        for (std::size_t i = 0; i < 2; ++i) {
            if (fds[i] < 0 || polls[i].revents == 0) continue;
            char buffer[4096];
            const ssize_t got = ::read(fds[i], buffer, sizeof buffer);
            if (got > 0) {
                sinks[i]->append(buffer, static_cast<std::size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                ::close(fds[i]);
                fds[i] = -1;
                --open_count;
            }
        }
    }
    return true;
}

}  // namespace

std::optional<std::filesystem::path> FindProgram(const std::string& program) {
    if (program.find('/') != std::string::npos) {
        if (::access(program.c_str(), X_OK) == 0) return std::filesystem::path(program);
        return std::nullopt;
    }
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    dirs += ":/usr/sbin:/sbin";  // nats-server lives in /usr/sbin on Debian; plain users lack it on PATH.
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const auto end = std::min(dirs.find(':', start), dirs.size());
        const auto candidate = std::filesystem::path(dirs.substr(start, end - start)) / program;
        if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
    }
    return std::nullopt;
}

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const EnvOverrides& env,
                                 std::chrono::milliseconds timeout) {
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) return MakeError(ErrorCode::kIo, "pipe failed");
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        return MakeError(ErrorCode::kIo, "pipe failed");
    }
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    ::posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
    auto pid = Spawn(argv, env, &actions);
    ::posix_spawn_file_actions_destroy(&actions);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (!pid) {
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        return common::Fail(pid.error());
    }
    ProcessResult result;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    result.timed_out = !DrainPipes({out_pipe[0], err_pipe[0]}, {&result.stdout_text, &result.stderr_text}, deadline);
    if (result.timed_out) {
        ::kill(*pid, SIGKILL);
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
    }
    int status = 0;
    while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = DecodeWaitStatus(status);
    return result;
}

Result<ChildProcess> ChildProcess::Spawn(const std::vector<std::string>& argv, const std::filesystem::path& log_file,
                                         const EnvOverrides& env) {
    if (argv.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty argv");
    const auto program = FindProgram(argv[0]);
    if (!program) return MakeError(ErrorCode::kIo, fmt::format("cannot start {}: not found", argv[0]));
    const int log_fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log_fd < 0) return MakeError(ErrorCode::kIo, fmt::format("cannot open {}", log_file.string()));
    CStringArray args(argv);
    CStringArray envp = MergedEnvironment(env);
    const pid_t parent = ::getpid();
    // fork + exec rather than posix_spawn, to set PR_SET_PDEATHSIG: a test that crashes must not
    // leave its servers running. Between fork and exec the child makes only raw system calls.
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(127);  // The parent died before prctl took effect.
        ::execve(program->c_str(), args.data(), envp.data());
        ::_exit(127);
    }
    ::close(log_fd);
    if (pid < 0) return MakeError(ErrorCode::kIo, fmt::format("cannot start {}: fork failed", argv[0]));
    return ChildProcess(pid);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), exit_code_(other.exit_code_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
        Stop();
        pid_ = std::exchange(other.pid_, -1);
        exit_code_ = other.exit_code_;
    }
    return *this;
}

ChildProcess::~ChildProcess() { Stop(); }

bool ChildProcess::Running() {
    if (pid_ < 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = DecodeWaitStatus(status);
        pid_ = -1;
        return false;
    }
    return true;
}

int ChildProcess::Kill() {
    if (!Running()) return exit_code_;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_code_ = DecodeWaitStatus(status);
    pid_ = -1;
    return exit_code_;
}

int ChildProcess::Stop(std::chrono::milliseconds grace) {
    if (!Running()) return exit_code_;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (Running() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Kill();
}

}  // namespace gapkit::testing
