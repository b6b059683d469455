// enet-chat-client: finds a chat server through gapkit's matchmaker (`GameClientConfig::
// own_transport`: matchmaking stops at the connect token), connects to it with ENet and presents
// the gapkit connection request as its first packet. Then it prints what the room says and sends
// chat lines: `--say` once another player is there (scripted, as the end-to-end test runs it), or
// every line typed on stdin. See examples/enet-chat/README.md.
//
// Exit codes: 0 when the script finished (or stdin ended), 1 on a failure or timeout, 2 on bad flags.

#include <enet/enet.h>
#include <poll.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <fmt/core.h>

#include "chat_wire.hpp"
#include "gapkit/client/game_client.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/service/program.hpp"

namespace service = gapkit::service;
using gapkit::client::ClientState;

namespace {

constexpr const char* kLog = "enet-chat";

struct ChatClientConfig {
    std::string game = "enet-chat";  ///< The matchmaker's app name.
    std::string version = "1";       ///< The app version.
    std::string say;                 ///< Scripted: the line to send once another player is there ("" reads stdin).
    std::string expect;              ///< Scripted: finish once a chat line containing this arrived.
    bool until_left = false;         ///< Scripted: then also wait for a player to leave.
    double timeout_seconds = 120;    ///< Give up after this long.
    std::string log_level = "info";
};

double NowSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Matchmaking up to the connect token; the address and request bytes on success.
struct Found {
    gapkit::netcode::Address server;
    gapkit::netcode::ConnectionRequestBytes request;
};

gapkit::common::Result<Found> FindServer(const ChatClientConfig& config, double deadline) {
    gapkit::client::GameClientConfig client_config;
    client_config.own_transport = true;
    auto client = gapkit::client::GameClient::Create(client_config);
    if (!client) return gapkit::common::Fail(client.error());
    if (auto started = (*client)->FindServer(config.game, config.version); !started) {
        return gapkit::common::Fail(started.error());
    }
    while ((*client)->State() == ClientState::kMatchmaking && NowSeconds() < deadline) {
        (*client)->Update(NowSeconds());
        gapkit::client::ClientEvent event;
        while ((*client)->Poll(event)) GAPKIT_LOG_INFO(kLog, "{}", event.text);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if ((*client)->State() != ClientState::kServerFound) {
        return gapkit::common::MakeError(gapkit::common::ErrorCode::kUnavailable,
                                         fmt::format("no server found ({})", ToString((*client)->failure_reason())));
    }
    auto request = (*client)->connection_request();
    if (!request) return gapkit::common::Fail(request.error());
    return Found{(*client)->server_address(), *request};
}

// The conversation: what arrived, and whether the script is done.
class Chat {
  public:
    explicit Chat(const ChatClientConfig& config) : config_(config) {}

    void OnLine(ENetPeer* server, const std::string& line) {
        std::cout << line << std::endl;
        if (auto players = enet_chat::PlayersIn(line)) {
            joined_ = joined_ || line.starts_with("welcome ");
            if (line.starts_with("- ")) saw_leave_ = true;
            if (*players >= 2 && !config_.say.empty() && !said_) {
                enet_chat::SendText(server, config_.say);
                said_ = true;
            }
        } else if (!config_.expect.empty() && line.find(config_.expect) != std::string::npos) {
            heard_ = true;
        }
    }

    bool ScriptDone() const {
        return !config_.say.empty() && said_ && (config_.expect.empty() || heard_) &&
               (!config_.until_left || saw_leave_);
    }
    bool joined() const { return joined_; }

  private:
    const ChatClientConfig& config_;
    bool joined_ = false;
    bool said_ = false;
    bool heard_ = false;
    bool saw_leave_ = false;
};

// One line typed on stdin, when one is ready; nothing at EOF sets `eof`.
std::optional<std::string> ReadyStdinLine(bool& eof) {
    pollfd fd{STDIN_FILENO, POLLIN, 0};
    if (::poll(&fd, 1, 0) <= 0) return std::nullopt;
    std::string line;
    if (!std::getline(std::cin, line)) {
        eof = true;
        return std::nullopt;
    }
    return line;
}

int Converse(const ChatClientConfig& config, const Found& found, double deadline) {
    auto address = enet_chat::ToEnetAddress(found.server);
    if (!address) {
        GAPKIT_LOG_ERROR(kLog, "{}", address.error().ToString());
        return 1;
    }
    ENetHost* host = enet_host_create(nullptr, 1, 1, 0, 0);
    if (host == nullptr) return 1;
    host->maximumPacketSize = enet_chat::kMaxPacketBytes;
    ENetPeer* server = enet_host_connect(host, &*address, 1, 0);
    Chat chat(config);
    bool connected = false;
    bool leaving = false;
    bool eof = false;
    int status = 1;
    while (NowSeconds() < deadline) {
        ENetEvent event;
        if (enet_host_service(host, &event, 10) > 0) {
            if (event.type == ENET_EVENT_TYPE_CONNECT) {
                connected = true;
                enet_chat::Send(server, found.request);  // The first packet: gapkit's connection request.
            } else if (event.type == ENET_EVENT_TYPE_RECEIVE) {
                chat.OnLine(server, enet_chat::CleanLine(std::span(event.packet->data, event.packet->dataLength)));
                enet_packet_destroy(event.packet);
            } else if (event.type == ENET_EVENT_TYPE_DISCONNECT) {
                if (!leaving) GAPKIT_LOG_WARN(kLog, "the server closed the connection");
                break;
            }
        }
        if (leaving || !chat.joined()) continue;
        if (config.say.empty()) {
            if (auto line = ReadyStdinLine(eof); line && !line->empty()) enet_chat::SendText(server, *line);
        }
        if (chat.ScriptDone() || eof) {
            status = 0;
            leaving = true;
            // Not enet_peer_disconnect: it drops what is still queued, such as our own line.
            enet_peer_disconnect_later(server, 0);
        }
    }
    if (!connected) GAPKIT_LOG_ERROR(kLog, "could not connect to {}", found.server.ToString());
    if (leaving && status == 0) enet_host_flush(host);
    enet_host_destroy(host);
    return NowSeconds() < deadline || leaving ? status : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const service::Program program{"enet-chat-client", "enet-chat"};
    CLI::App app{"enet-chat-client: chat through gapkit's matchmaker over ENet (MATCHMAKER_URL names it)",
                 program.name};
    ChatClientConfig config;
    app.add_option("--game", config.game, "App name at the matchmaker")->capture_default_str();
    app.add_option("--version", config.version, "App version at the matchmaker")->capture_default_str();
    app.add_option("--say", config.say, "Send this once another player is in the room, then finish (no stdin)");
    app.add_option("--expect", config.expect, "With --say: finish only once a chat line containing this arrived");
    app.add_flag("--until-left", config.until_left, "With --say: finish only once a player left");
    app.add_option("--timeout-seconds", config.timeout_seconds, "Give up after this long")
        ->check(CLI::Range(1.0, 3600.0))
        ->capture_default_str();
    service::AddLogLevelOption(app, config.log_level);
    if (auto exit = service::ParseCommandLine(app, argc, argv)) return *exit;
    service::ApplyLogLevel(config.log_level);
    const double deadline = NowSeconds() + config.timeout_seconds;
    auto found = FindServer(config, deadline);
    if (!found) {
        GAPKIT_LOG_ERROR(kLog, "{}", found.error().ToString());
        return 1;
    }
    if (enet_initialize() != 0) return 1;
    const int status = Converse(config, *found, deadline);
    enet_deinitialize();
    return status;
}
