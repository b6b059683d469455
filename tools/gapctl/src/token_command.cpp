#include "token_command.hpp"

#include <iostream>
#include <memory>

#include "gapkit/common/clock.hpp"
#include "gapkit/common/env.hpp"
#include "gapkit/common/files.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/service/program.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/private_key.hpp"

namespace gapkit::cli {

namespace {

constexpr const char* kPrivateKeyEnv = "GAPKIT_PRIVATE_KEY";

common::Result<netcode::Key> LoadPrivateKey(const TokenOptions& options) {
    std::string text;
    if (!options.private_key.empty()) {
        GAPKIT_LOG_WARN("gapctl",
                        "--private-key is visible to other users in the process list; prefer "
                        "--private-key-file or {} outside development",
                        kPrivateKeyEnv);
        text = options.private_key;
    } else if (!options.private_key_file.empty()) {
        auto contents = common::ReadSecretFile(options.private_key_file);
        if (!contents) return common::Fail(contents.error());
        text = *contents;
    } else if (auto value = common::GetEnv(kPrivateKeyEnv); value && !value->empty()) {
        text = *value;
    } else {
        return common::MakeError(
            common::ErrorCode::kInvalidArgument,
            fmt::format("no private key: give --private-key-file, set {}, or --private-key", kPrivateKeyEnv));
    }
    return netcode::ParsePrivateKey(text);
}

common::Result<std::vector<netcode::Address>> ParseAddresses(const std::vector<std::string>& texts) {
    std::vector<netcode::Address> addresses;
    for (const std::string& text : texts) {
        auto address = netcode::Address::Parse(text);
        if (!address) return common::Fail(address.error());
        if (address->port == 0) {
            return common::MakeError(common::ErrorCode::kInvalidArgument,
                                     fmt::format("server address '{}': port 0 cannot be connected to", text));
        }
        addresses.push_back(*address);
    }
    return addresses;
}

std::uint64_t RandomClientId() {
    std::uint64_t client_id = 0;
    netcode::RandomBytes({reinterpret_cast<std::uint8_t*>(&client_id), sizeof(client_id)});
    return client_id;
}

}  // namespace

common::Result<std::string> MintToken(const TokenOptions& options, std::uint64_t now_unix_seconds) {
    auto key = LoadPrivateKey(options);
    if (!key) return common::Fail(key.error());
    auto servers = ParseAddresses(options.servers);
    if (!servers) return common::Fail(servers.error());
    auto internal = ParseAddresses(options.internal_servers);
    if (!internal) return common::Fail(internal.error());

    netcode::ConnectTokenParams params;
    params.protocol_id = options.protocol_id;
    params.private_key = *key;
    params.client_id = options.client_id.value_or(RandomClientId());
    params.expire_seconds = options.expire_seconds;
    params.timeout_seconds = options.timeout_seconds;
    params.public_server_addresses = *servers;
    params.internal_server_addresses = *internal;
    auto token = netcode::GenerateConnectToken(params, now_unix_seconds);
    if (!token) return common::Fail(token.error());
    GAPKIT_LOG_INFO("gapctl", "minted a connect token for client id {} ({} server address(es), expires in {} s)",
                    params.client_id, servers->size(), options.expire_seconds);
    return netcode::EncodeConnectTokenBase64(*token);
}

void RegisterTokenCommand(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<TokenOptions>();
    CLI::App* command = app.add_subcommand(
        "token", "Mint a netcode 1.02 connect token (standard base64 on stdout) for a direct development connection");
    command->add_option("--protocol-id", options->protocol_id, "The game's netcode protocol id")->required();
    command->add_option("--private-key", options->private_key,
                        "32-byte key as '1, 2, ..., 32 numbers', 64 hex digits or base64 (visible in argv: dev only)");
    command->add_option("--private-key-file", options->private_key_file, "File holding the private key");
    command->add_option("--server", options->servers, "Server address ip:port or [v6]:port (repeatable, 1..32)")
        ->required();
    command->add_option("--internal-server", options->internal_servers,
                        "Address the server checks in the private token (repeatable; default: --server)");
    command->add_option("--client-id", options->client_id, "Client id (default: random)");
    command->add_option("--expire-seconds", options->expire_seconds, "Token lifetime; negative: never expires")
        ->capture_default_str();
    command->add_option("--timeout-seconds", options->timeout_seconds, "Connection timeout; negative: none")
        ->capture_default_str();
    command->footer(fmt::format("The key may also come from the environment variable {}.", kPrivateKeyEnv));
    command->callback([options, &exit_code] {
        auto token = MintToken(*options, common::SystemClock::Instance().UnixSeconds());
        if (!token) {
            GAPKIT_LOG_ERROR("gapctl", "token: {}", token.error().ToString());
            exit_code = service::ToInt(service::ExitCode::kFailure);
            return;
        }
        std::cout << *token << '\n';
        exit_code = service::ToInt(service::ExitCode::kOk);
    });
}

}  // namespace gapkit::cli
