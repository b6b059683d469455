#pragma once

// Test support: a matchmaker configuration for app `echo` version `1` against edgegap-sim, with
// short timeouts and fast polling, shared by the matchmaker's own tests and the stack tests.

#include <cstdint>
#include <string>

#include "config.hpp"

namespace gapkit::matchmaker {

inline MatchmakerConfig SimTestConfig(const std::string& sim_base_url, std::uint64_t protocol_id,
                                      std::uint8_t key_byte) {
    MatchmakerConfig config;
    config.app_name = "echo";
    config.app_version = "1";
    config.protocol_id = protocol_id;
    config.private_key.fill(key_byte);
    config.edgegap_base_url = sim_base_url;
    config.edgegap_api_key = "devkey";
    config.edgegap_timeout_seconds = 2;
    config.readiness_timeout_seconds = 10;
    config.poll_initial_ms = 50;
    config.poll_max_ms = 200;
    config.metrics_port = 0;
    return config;
}

}  // namespace gapkit::matchmaker
