// gapkit-sim-echo-server: a tiny game server for edgegap-sim tests and demos.
//
// Reads ARBITRIUM_PORTS_MAPPING, binds the internal port of the first UDP port on 0.0.0.0 and
// echoes every datagram back, except "env:<NAME>", which is answered with that variable's value
// (so tests can check the injected environment without the process logging secrets). Exits 0
// on SIGTERM, or after --exit-after-ms. With --ignore-sigterm it ignores SIGTERM, so the
// simulator must escalate to SIGKILL.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace {

volatile std::sig_atomic_t g_stop = 0;

int FirstUdpPort(const char* mapping) {
    boost::system::error_code ec;
    auto value = boost::json::parse(mapping, ec);
    if (ec || !value.is_object()) return -1;
    const auto* ports = value.get_object().if_contains("ports");
    if (ports == nullptr || !ports->is_object()) return -1;
    for (const auto& [name, port] : ports->get_object()) {
        if (!port.is_object()) continue;
        const auto* protocol = port.get_object().if_contains("protocol");
        const auto* internal = port.get_object().if_contains("internal");
        if (protocol != nullptr && protocol->is_string() &&
            std::string_view(protocol->get_string()).find("UDP") != std::string_view::npos && internal != nullptr &&
            internal->is_int64()) {
            return static_cast<int>(internal->get_int64());
        }
    }
    return -1;
}

// Answers one datagram if one arrives within 50 ms.
void EchoOnce(int fd) {
    pollfd poll_fd{fd, POLLIN, 0};
    if (::poll(&poll_fd, 1, 50) <= 0) return;
    char buffer[1500];
    sockaddr_in peer{};
    socklen_t peer_length = sizeof(peer);
    const ssize_t size = ::recvfrom(fd, buffer, sizeof(buffer), 0, reinterpret_cast<sockaddr*>(&peer), &peer_length);
    if (size <= 0) return;
    const std::string_view message(buffer, static_cast<std::size_t>(size));
    std::string reply(message);
    if (message.rfind("env:", 0) == 0) {
        // Lets a test check what the simulator injected, without the process logging it.
        const char* value = std::getenv(std::string(message.substr(4)).c_str());
        reply = value != nullptr ? value : "<unset>";
    }
    ::sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer), peer_length);
}

int BindUdp(int port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        std::fprintf(stderr, "echo-server: bind UDP %d: %s\n", port, std::strerror(errno));
        return -1;
    }
    return fd;
}

}  // namespace

int main(int argc, char** argv) {
    long exit_after_ms = -1;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--ignore-sigterm") std::signal(SIGTERM, SIG_IGN);
        if (arg == "--exit-after-ms" && i + 1 < argc) exit_after_ms = std::strtol(argv[++i], nullptr, 10);
    }
    if (std::signal(SIGTERM, SIG_IGN) != SIG_IGN) std::signal(SIGTERM, [](int) { g_stop = 1; });
    const char* mapping = std::getenv("ARBITRIUM_PORTS_MAPPING");
    const int port = mapping != nullptr ? FirstUdpPort(mapping) : -1;
    if (port <= 0) {
        std::fprintf(stderr, "echo-server: no UDP port in ARBITRIUM_PORTS_MAPPING\n");
        return 2;
    }
    const int fd = BindUdp(port);
    if (fd < 0) return 3;
    std::printf("echo-server: request %s listening on UDP %d\n", std::getenv("ARBITRIUM_REQUEST_ID"), port);
    std::fflush(stdout);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(exit_after_ms);
    while (g_stop == 0 && (exit_after_ms < 0 || std::chrono::steady_clock::now() < deadline)) EchoOnce(fd);
    std::printf("echo-server: stopping\n");
    ::close(fd);
    return 0;
}
