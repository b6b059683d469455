#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

#include "process_launcher.hpp"

namespace gapkit::edgegap_sim {
namespace {

using common::ErrorCode;
using common::MakeError;

// Binds `type` on ip:port (0 = any) and returns the bound port, or 0 when it is taken.
common::Result<std::uint16_t> TryBind(const std::string& ip, int type, std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    if (::inet_pton(AF_INET, ip.c_str(), &address.sin_addr) != 1) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("public ip '{}' is not an IPv4 address", ip));
    }
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return MakeError(ErrorCode::kIo, fmt::format("socket: {}", std::strerror(errno)));
    std::uint16_t bound = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
        socklen_t length = sizeof(address);
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
        bound = ntohs(address.sin_port);
    }
    ::close(fd);
    return bound;
}

}  // namespace

common::Result<std::uint16_t> AllocateFreePort(const std::string& ip, std::string_view protocol) {
    const bool udp = protocol.find("UDP") != std::string_view::npos;
    const bool tcp = !udp || protocol.find("TCP") != std::string_view::npos;
    const int first_type = udp ? SOCK_DGRAM : SOCK_STREAM;
    for (int attempt = 0; attempt < 32; ++attempt) {
        auto port = TryBind(ip, first_type, 0);
        if (!port) return port;
        if (*port == 0) continue;
        if (!(udp && tcp)) return *port;
        auto also = TryBind(ip, SOCK_STREAM, *port);  // "TCP/UDP" needs the number free for both.
        if (!also) return also;
        if (*also == *port) return *port;
    }
    return MakeError(ErrorCode::kResourceExhausted, fmt::format("no free {} port on {}", protocol, ip));
}

}  // namespace gapkit::edgegap_sim
