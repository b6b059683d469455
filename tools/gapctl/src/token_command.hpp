#pragma once

// `gapctl token`: mints a netcode 1.02 connect token for a direct connection during development
// and prints it as standard base64 on stdout (nothing else goes to stdout).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "gapkit/common/result.hpp"

namespace gapkit::cli {

/// The command's inputs as given on the command line.
struct TokenOptions {
    std::uint64_t protocol_id = 0;
    std::string private_key;                    ///< Secret from --private-key (argv is visible to other users).
    std::string private_key_file;               ///< Path from --private-key-file.
    std::vector<std::string> servers;           ///< "ip:port" / "[v6]:port", 1..32.
    std::vector<std::string> internal_servers;  ///< Optional private-token list; default: `servers`.
    std::optional<std::uint64_t> client_id;     ///< Default: random.
    std::int64_t expire_seconds = 30;
    std::int32_t timeout_seconds = 15;
};

/// Builds the base64 token. The key comes from --private-key, else --private-key-file, else the
/// environment variable GAPKIT_PRIVATE_KEY. `now_unix_seconds` stamps the token.
common::Result<std::string> MintToken(const TokenOptions& options, std::uint64_t now_unix_seconds);

/// Adds the `token` subcommand.
void RegisterTokenCommand(CLI::App& app, int& exit_code);

}  // namespace gapkit::cli
