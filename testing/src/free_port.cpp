#include "gapkit/testing/free_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace gapkit::testing {

common::Result<std::uint16_t> FreeLoopbackPort(PortKind kind) {
    const int fd = ::socket(AF_INET, (kind == PortKind::kTcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) return common::MakeError(common::ErrorCode::kIo, "socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    ::close(fd);
    if (!ok) return common::MakeError(common::ErrorCode::kIo, "cannot find a free loopback port");
    return ntohs(addr.sin_port);
}

}  // namespace gapkit::testing
