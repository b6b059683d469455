#pragma once

// Turns ConnectOptions plus the NATS_* environment into the settings Connect applies. Kept apart
// from nats.c so every rule about the environment is testable without a server.

#include <filesystem>
#include <string>
#include <vector>

#include "gapkit/bus/connection.hpp"
#include "gapkit/common/result.hpp"

namespace gapkit::bus {

struct ConnectSettings {
    std::string client_name;
    std::vector<std::string> urls;  // nats://host:port per server; NATS_HOST may list several.
    std::string tls_host;           // DNS name to check the certificate against; empty for IPs.
    std::string user;
    std::string password;
    bool tls = true;
    std::filesystem::path ca_file;  // Empty: trust the system's CAs.
    std::string ca_source;          // For logs: "NATS_CA", "NATS_CA_CONTENTS", "system trust store".
    bool ca_file_is_temporary = false;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds reconnect_initial_delay{250};
    std::chrono::milliseconds reconnect_max_delay{5000};
    bool send_asap = false;
    std::string inbox_prefix = "_INBOX";
    int replicas = 0;  // 1..5 from NATS_REPLICAS or the options; 0: auto, resolved once connected.
};

// Reads options over env. When the CA comes as PEM text it is written to a private temp file,
// flagged ca_file_is_temporary so Connect removes it once loaded.
common::Result<ConnectSettings> ResolveConnectSettings(std::string client_name, const ConnectOptions& options);

// "host", "host:port", "[v6]:port" or a URL -> "scheme://host:port" (scheme nats unless given).
common::Result<std::string> NormalizeServerUrl(std::string_view host);

// The host part of a normalized URL, without brackets.
std::string UrlHost(std::string_view url);

}  // namespace gapkit::bus
