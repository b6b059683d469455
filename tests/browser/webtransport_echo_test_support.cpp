// gapkit_webtransport_echo_test_support: the other end of the Chromium interop test
// (webtransport_echo.test.mjs). It opens a `webtransport::Endpoint` with a fresh self-signed
// certificate and echoes every datagram back to the session it came from. Not installed.
//
// stdout, one line per fact, flushed at once (the test reads them):
//   ready port=<udp port> digest=<sha-256 of the certificate's DER, "ab:cd:..">
//   opened <session address> <browser's udp address>
//   closed <session address> <why>
//   stats <counter>=<value> ...            (on exit)
// The endpoint's own log goes to stderr. stdin takes one command per line:
//   close <session address>                 the server ends that session (Endpoint::Close)
// Exits 0 on SIGINT/SIGTERM or when stdin reaches its end, so a test that dies cannot leave it
// running: give it a pipe, not /dev/null.
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "gapkit/common/log.hpp"
#include "gapkit/server/certificate.hpp"
#include "gapkit/service/program.hpp"
#include "gapkit/service/stop_signals.hpp"
#include "gapkit/webtransport/endpoint.hpp"

namespace {

namespace service = gapkit::service;
namespace webtransport = gapkit::webtransport;

constexpr const char* kLogComponent = "wt-echo";
// How long the loop waits for stdin, and so the pause between two `Update`s.
constexpr int kStdinPollMilliseconds = 1;

template <typename... Args>
void Say(fmt::format_string<Args...> format, Args&&... args) {
    std::fputs((fmt::format(format, std::forward<Args>(args)...) + "\n").c_str(), stdout);
    std::fflush(stdout);
}

// Waits up to kStdinPollMilliseconds for stdin and appends what came to `pending`; false once
// stdin has reached its end.
bool ReadStdin(std::string& pending) {
    pollfd stdin_poll{STDIN_FILENO, POLLIN, 0};
    if (::poll(&stdin_poll, 1, kStdinPollMilliseconds) <= 0) return true;
    char buffer[256];
    const ssize_t size = ::read(STDIN_FILENO, buffer, sizeof(buffer));
    if (size <= 0) return false;
    pending.append(buffer, static_cast<std::size_t>(size));
    return true;
}

// Runs the complete command lines in `pending` and keeps the rest.
void RunCommands(webtransport::Endpoint& endpoint, std::string& pending) {
    constexpr std::string_view kClose = "close ";
    for (std::size_t end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
        const std::string line = pending.substr(0, end);
        pending.erase(0, end + 1);
        if (!line.starts_with(kClose)) {
            GAPKIT_LOG_WARN(kLogComponent, "stdin: unknown command '{}'", line);
            continue;
        }
        auto address = gapkit::netcode::Address::Parse(std::string_view(line).substr(kClose.size()));
        if (!address) {
            GAPKIT_LOG_WARN(kLogComponent, "stdin: {}", address.error().ToString());
            continue;
        }
        endpoint.Close(*address);
    }
}

double NowSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void Handle(webtransport::Endpoint& endpoint, const webtransport::Event& event) {
    switch (event.type) {
        case webtransport::EventType::kSessionOpened:
            Say("opened {} {}", event.address.ToString(), event.detail);
            break;
        case webtransport::EventType::kDatagram:
            endpoint.Send(event.address, event.datagram);
            break;
        case webtransport::EventType::kSessionClosed:
            Say("closed {} {}", event.address.ToString(), event.detail);
            break;
    }
}

void SayStats(const webtransport::EndpointStats& stats) {
    Say("stats connections_accepted={} connections_refused={} sessions_opened={} sessions_refused={} "
        "datagrams_received={} datagrams_sent={} datagrams_dropped={} protocol_errors={}",
        stats.connections_accepted, stats.connections_refused, stats.sessions_opened, stats.sessions_refused,
        stats.datagrams_received, stats.datagrams_sent, stats.datagrams_dropped, stats.protocol_errors);
}

int Failed(const service::Program& program, const gapkit::common::Error& error) {
    GAPKIT_LOG_ERROR(program.log_component, "{}", error.ToString());
    return service::ToInt(service::ExitCode::kFailure);
}

}  // namespace

int main(int argc, char** argv) {
    const service::Program program{"gapkit_webtransport_echo_test_support", kLogComponent};
    service::StopSignals stop_signals;
    CLI::App app{"Echoes WebTransport datagrams back to the browser (the Chromium interop test)", program.name};
    webtransport::EndpointConfig config;
    config.bind_ip = "127.0.0.1";
    app.add_option("--bind-ip", config.bind_ip, "Local address to bind")->capture_default_str();
    app.add_option("--port", config.port, "UDP port; 0 picks a free one")->capture_default_str();
    app.add_option("--path", config.path, "The CONNECT :path to accept")->capture_default_str();
    std::string log_level = "info";
    service::AddLogLevelOption(app, log_level);
    if (auto exit = service::ParseCommandLine(app, argc, argv)) return *exit;
    service::ApplyLogLevel(log_level);

    auto certificate = gapkit::server::CreateSelfSignedCertificate(config.bind_ip);
    if (!certificate) return Failed(program, certificate.error());
    config.certificate_pem = certificate->certificate_pem;
    config.private_key_pem = certificate->private_key_pem;
    auto opened = webtransport::Endpoint::Open(config);
    if (!opened) return Failed(program, opened.error());
    webtransport::Endpoint& endpoint = **opened;
    Say("ready port={} digest={}", endpoint.bound_port(), certificate->sha256_digest);

    webtransport::Event event;
    std::string commands;
    while (!stop_signals.Requested() && ReadStdin(commands)) {
        RunCommands(endpoint, commands);
        endpoint.Update(NowSeconds());
        while (endpoint.Poll(event)) Handle(endpoint, event);
    }
    SayStats(endpoint.stats());
    return service::ToInt(service::ExitCode::kOk);
}
