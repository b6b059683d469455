#include "http_server_test_support.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <strings.h>

#include <sstream>

#include <fmt/core.h>

namespace gapkit::server {

namespace {

constexpr const char* kContext =
    R"({"request_id":"abc123def456","public_ip":"127.0.0.1","status":"Status.READY","ready":true,)"
    R"("ports":{"gameport":{"name":"gameport","internal":7777,"external":40123,"protocol":"UDP"}}})";

std::string Header(const std::string& head, const std::string& name) {
    std::istringstream lines(head);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.size() > name.size() + 1 && strncasecmp(line.c_str(), name.c_str(), name.size()) == 0 &&
            line[name.size()] == ':') {
            std::string value = line.substr(name.size() + 1);
            value.erase(0, value.find_first_not_of(' '));
            value.erase(value.find_last_not_of("\r ") + 1);
            return value;
        }
    }
    return {};
}

}  // namespace

common::Result<std::unique_ptr<TestHttpServer>> TestHttpServer::Start() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(addr);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
        if (fd >= 0) close(fd);
        return common::MakeError(common::ErrorCode::kIo, "test http server: cannot listen");
    }
    return std::unique_ptr<TestHttpServer>(new TestHttpServer(fd, ntohs(addr.sin_port)));
}

TestHttpServer::TestHttpServer(int fd, int port) : fd_(fd), port_(port), thread_([this] { Serve(); }) {}

TestHttpServer::~TestHttpServer() {
    stopping_ = true;
    thread_.join();
    close(fd_);
}

std::string TestHttpServer::url() const { return fmt::format("http://127.0.0.1:{}", port_); }

TestRequest TestHttpServer::LastRequest(const std::string& method) {
    std::lock_guard lock(mutex_);
    return last_[method];
}

void TestHttpServer::Serve() {
    while (!stopping_) {
        pollfd waiting{fd_, POLLIN, 0};
        if (poll(&waiting, 1, 20) <= 0) continue;
        const int client = accept(fd_, nullptr, nullptr);
        if (client < 0) continue;
        Answer(client);
        close(client);
    }
}

void TestHttpServer::Answer(int client) {
    std::string head;
    char buffer[4096];
    while (head.find("\r\n\r\n") == std::string::npos) {
        const ssize_t got = recv(client, buffer, sizeof(buffer), 0);
        if (got <= 0) return;
        head.append(buffer, static_cast<std::size_t>(got));
    }
    std::istringstream first(head);
    TestRequest request;
    first >> request.method >> request.target;
    request.authorization = Header(head, "authorization");
    const std::string body = request.method == "GET" ? kContext : R"({"message":"ok"})";
    {
        std::lock_guard lock(mutex_);
        last_[request.method] = request;
    }
    const std::string response = fmt::format(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.size(), body);
    send(client, response.data(), response.size(), MSG_NOSIGNAL);
}

}  // namespace gapkit::server
