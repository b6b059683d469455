// gapkit-httpd as a process: start-up refusals and a flood of idle connects under a small
// open-file limit, against a real nats-server.
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gapkit/common/files.hpp"
#include "gapkit/testing/free_port.hpp"
#include "gapkit/testing/nats_server.hpp"
#include "gapkit/testing/process.hpp"
#include "gapkit/testing/temp_dir.hpp"
#include "gapkit/testing/wait.hpp"

namespace gapkit::httpd {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// No GAPKIT_HTTPD_* from the caller's environment leaks into the child's config.
const testing::EnvOverrides kCleanHttpdEnv{{"GAPKIT_HTTPD_CORS", std::nullopt},
                                           {"GAPKIT_HTTPD_BIND", std::nullopt},
                                           {"GAPKIT_HTTPD_TRUSTED_PROXIES", std::nullopt},
                                           {"GAPKIT_HTTPD_WEBHOOK_SECRET", std::nullopt}};

// A blocking loopback socket whose connect, send and receive give up after `timeout`.
int ConnectLoopback(std::uint16_t port, std::chrono::milliseconds timeout) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// The whole answer to `GET <path>` (empty when the connection fails).
std::string HttpGet(std::uint16_t port, const std::string& path) {
    const int fd = ConnectLoopback(port, 2s);
    if (fd < 0) return "";
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    std::string answer;
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
        char buffer[512];
        for (ssize_t n = 0; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, n);
    }
    ::close(fd);
    return answer;
}

bool HealthzAnswers(std::uint16_t port) { return HttpGet(port, "/healthz").starts_with("HTTP/1.1 200"); }

// utime + stime of `pid`, in seconds.
double CpuSeconds(pid_t pid) {
    std::ifstream stat(fmt::format("/proc/{}/stat", pid));
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14 || i == 15) ticks += std::stod(field);
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

class HttpdProcessTest : public ::testing::Test {
  protected:
    void SetUp() override {
        GAPKIT_SKIP_WITHOUT_NATS_SERVER();
        auto nats = testing::NatsServer::Start();
        ASSERT_TRUE(nats) << nats.error().ToString();
        nats_ = std::move(*nats);
        auto dir = testing::TempDir::Create("httpd-process");
        ASSERT_TRUE(dir) << dir.error().ToString();
        dir_ = std::make_unique<testing::TempDir>(std::move(*dir));
        auto port = testing::FreeLoopbackPort();
        ASSERT_TRUE(port);
        port_ = *port;
    }

    // Starts httpd (through `sh -c` so a shell can set limits first) and waits for /healthz.
    void StartHttpd(const std::string& shell_prefix, std::vector<std::string> args,
                    const std::string& binary = HTTPD_PATH) {
        auto env = nats_->ClientEnv();
        for (const auto& [name, value] : kCleanHttpdEnv) env[name] = value;
        std::vector<std::string> argv = {"/bin/sh", "-c",     shell_prefix + "exec \"$0\" \"$@\"",
                                         binary,    "--port", std::to_string(port_)};
        argv.insert(argv.end(), args.begin(), args.end());
        auto child = testing::ChildProcess::Spawn(argv, Log(), env);
        ASSERT_TRUE(child) << child.error().ToString();
        httpd_ = std::make_unique<testing::ChildProcess>(std::move(*child));
        ASSERT_TRUE(testing::WaitFor([this] { return HealthzAnswers(port_); })) << LogText();
    }

    std::string Limits() const { return common::ReadFile(fmt::format("/proc/{}/limits", httpd_->pid())).value_or(""); }

    std::filesystem::path Log() const { return dir_->path() / "httpd.log"; }
    std::string LogText() const { return common::ReadFile(Log()).value_or(""); }

    std::unique_ptr<testing::NatsServer> nats_;
    std::unique_ptr<testing::TempDir> dir_;
    std::uint16_t port_ = 0;
    std::unique_ptr<testing::ChildProcess> httpd_;
};

TEST(HttpdProgram, RefusesAPublicBindWithoutCorsAndExitsTwo) {
    auto result = testing::RunProcess({HTTPD_PATH, "--bind", "0.0.0.0", "--port", "0"}, kCleanHttpdEnv);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->exit_code, 2);
    EXPECT_THAT(result->stderr_text, HasSubstr("refusing to listen on 0.0.0.0 without an Origin allow-list"));
    EXPECT_THAT(result->stderr_text, HasSubstr("--cors '*'"));
}

TEST(HttpdProgram, RefusesABadTrustedProxy) {
    auto result =
        testing::RunProcess({HTTPD_PATH, "--bind", "127.0.0.1", "--trusted-proxy", "10.0.0.0/40"}, kCleanHttpdEnv);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->exit_code, 2);
    EXPECT_THAT(result->stderr_text, HasSubstr("trusted proxy '10.0.0.0/40'"));
}

TEST_F(HttpdProcessTest, StartsOnAPublicBindWithCorsStar) {
    StartHttpd("", {"--bind", "0.0.0.0", "--cors", "*"});
    EXPECT_EQ(httpd_->Stop(), 0) << LogText();
}

// Installed as <prefix>/bin/gapkit-httpd, it serves <prefix>/share/gapkit/httpd/web, not the source tree.
TEST_F(HttpdProcessTest, InstalledBinaryServesTheInstalledPage) {
    const std::filesystem::path prefix = dir_->path() / "prefix";
    const std::filesystem::path web = prefix / "share/gapkit/httpd/web";
    std::filesystem::create_directories(prefix / "bin");
    std::filesystem::create_directories(web);
    std::filesystem::copy_file(HTTPD_PATH, prefix / "bin/gapkit-httpd");
    std::ofstream(web / "index.html") << "<p>installed page</p>";
    StartHttpd("", {"--bind", "127.0.0.1"}, (prefix / "bin/gapkit-httpd").string());
    EXPECT_THAT(HttpGet(port_, "/"), HasSubstr("installed page"));
    EXPECT_EQ(httpd_->Stop(), 0) << LogText();
}

// 2,000 idle connects from one address against `ulimit -n 256`: httpd keeps answering /healthz
// and does not spin. The loop is bounded (2,000 connects, 2 s of holding them) and stops itself.
TEST_F(HttpdProcessTest, FloodOfIdleConnectsLeavesHealthzAnsweringAndTheCpuQuiet) {
    rlimit limit{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
    if (limit.rlim_cur < 2300 && limit.rlim_max >= 2300) {
        limit.rlim_cur = limit.rlim_max;
        ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
    }
    if (limit.rlim_cur < 2300) GTEST_SKIP() << "this test needs 2,300 open files, the hard limit is " << limit.rlim_max;
    StartHttpd("ulimit -n 256 && ", {"--bind", "127.0.0.1", "--log-level", "warn"});
    ASSERT_THAT(Limits(), ::testing::ContainsRegex("Max open files +256 "));

    std::atomic<bool> flooding{true};
    std::atomic<int> probes{0};
    std::atomic<int> failed_probes{0};
    std::thread prober([&] {
        while (flooding) {
            ++probes;
            if (!HealthzAnswers(port_)) ++failed_probes;
            std::this_thread::sleep_for(20ms);
        }
    });
    const double cpu_before = CpuSeconds(httpd_->pid());
    const auto started = std::chrono::steady_clock::now();
    std::vector<int> idle;
    int refused = 0;
    for (int i = 0; i < 2000; ++i) {
        const int fd = ConnectLoopback(port_, 1s);
        if (fd < 0) {
            ++refused;
        } else {
            idle.push_back(fd);
        }
    }
    const auto flood_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::this_thread::sleep_for(2s);  // Holding them: an httpd that spins on EMFILE shows it here.
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double cpu = CpuSeconds(httpd_->pid()) - cpu_before;
    flooding = false;
    prober.join();
    for (int fd : idle) ::close(fd);

    const std::string summary = fmt::format(
        "flood: {} connects in {:.2f} s ({} refused), httpd cpu {:.3f} s over {:.2f} s = {:.1f}% of a core, "
        "{} /healthz probes, {} failed",
        idle.size(), flood_seconds, refused, cpu, wall, 100 * cpu / wall, probes.load(), failed_probes.load());
    std::cout << summary << "\n";
    RecordProperty("flood", summary);
    EXPECT_LT(cpu / wall, 0.20) << summary;
    EXPECT_GT(probes.load(), 10) << summary;
    EXPECT_EQ(failed_probes.load(), 0) << summary << "\n" << LogText();
    EXPECT_TRUE(HealthzAnswers(port_));
    EXPECT_EQ(httpd_->Stop(), 0) << LogText();
}

// Requests that are answered and kept alive hold descriptors that eviction does not touch: with
// all of them in use, accept fails with EMFILE. httpd must then shed new connections (closed at
// once, not left hanging) without spinning, and recover when descriptors come back.
TEST_F(HttpdProcessTest, OutOfDescriptorsShedsNewConnectionsWithoutSpinning) {
    StartHttpd("ulimit -n 128 && ", {"--bind", "127.0.0.1", "--log-level", "warn", "--per-ip-max-connections", "1000"});
    const std::string request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
    std::vector<int> kept;
    for (int i = 0; i < 200; ++i) {
        const int fd = ConnectLoopback(port_, 1s);
        if (fd < 0) break;
        kept.push_back(fd);
        ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    }
    std::this_thread::sleep_for(500ms);
    const double cpu_before = CpuSeconds(httpd_->pid());
    const auto started = std::chrono::steady_clock::now();
    // A new connection is accepted and closed (shed), so the client sees the end quickly.
    const int late = ConnectLoopback(port_, 3s);
    ASSERT_GE(late, 0);
    char byte = 0;
    const ssize_t got = ::recv(late, &byte, 1, 0);
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ::close(late);
    EXPECT_EQ(got, 0) << "expected the server to close the connection, waited " << waited << " s";
    EXPECT_LT(waited, 1.0);
    std::this_thread::sleep_for(1500ms);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double cpu = CpuSeconds(httpd_->pid()) - cpu_before;
    for (int fd : kept) ::close(fd);
    const std::string summary = fmt::format("{} kept-alive connections; httpd cpu {:.3f} s over {:.2f} s = {:.1f}%",
                                            kept.size(), cpu, wall, 100 * cpu / wall);
    std::cout << summary << "\n";
    EXPECT_LT(cpu / wall, 0.20) << summary;
    EXPECT_TRUE(testing::WaitFor([this] { return HealthzAnswers(port_); }, 5s)) << LogText();
    EXPECT_THAT(LogText(), HasSubstr("shedding connections"));
    EXPECT_EQ(httpd_->Stop(), 0) << LogText();
}

}  // namespace
}  // namespace gapkit::httpd
