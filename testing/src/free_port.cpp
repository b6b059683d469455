#include "gapkit/testing/free_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>

namespace gapkit::testing {
namespace {

// Whether `port` (0: any) of `kind` can be bound on loopback now; the port bound, or 0.
std::uint16_t TryBind(PortKind kind, std::uint16_t port) {
    const int fd = ::socket(AF_INET, (kind == PortKind::kTcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    socklen_t len = sizeof addr;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    ::close(fd);
    return ok ? ntohs(addr.sin_port) : 0;
}

// The lowest port the kernel hands out for outgoing connections (ip_local_port_range).
int EphemeralLow() {
    std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
    int low = 0;
    return range >> low ? low : 0;
}

}  // namespace

// A port from the kernel's ephemeral range can be taken between this check and the test server's
// bind by any process's outgoing connection (a test stack starts nats-server, the simulator and
// matchmakers in between, seconds that other tests spend connecting): httpd then failed to bind
// now and then. Ports below that range are never handed out for outgoing connections.
common::Result<std::uint16_t> FreeLoopbackPort(PortKind kind) {
    constexpr int kSpan = 12000;
    const int low = EphemeralLow();
    if (low > 1024 + kSpan) {
        std::random_device seed;
        std::mt19937 random(seed());
        std::uniform_int_distribution<int> pick(low - kSpan, low - 1);
        for (int attempt = 0; attempt < 64; ++attempt) {
            if (const std::uint16_t port = TryBind(kind, static_cast<std::uint16_t>(pick(random)))) return port;
        }
    }
    if (const std::uint16_t port = TryBind(kind, 0)) return port;
    return common::MakeError(common::ErrorCode::kIo, "cannot find a free loopback port");
}

}  // namespace gapkit::testing
