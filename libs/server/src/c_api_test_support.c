/* Compiled as C: proves gapkit/server.h is valid C and usable from a C engine. */
#include "c_api_test_support.h"

#include <string.h>

#include "gapkit/server.h"

int gapkit_server_c_smoke(uint16_t port, char* error, size_t error_bytes) {
    gapkit_server_config config;
    gapkit_server_config_init(&config);
    if (config.max_clients != 64 || config.require_session != 1 || config.use_bus != 1) return 1;
    config.protocol_id = 80085;
    config.local_port = port;
    config.use_bus = 0;
    gapkit_server* server = gapkit_server_create(&config, 0, NULL, error, error_bytes);
    if (server == NULL) return 2;
    gapkit_server_update(server, 1.0);
    gapkit_server_event event;
    int result = 0;
    if (gapkit_server_poll(server, &event) != 0) result = 3;
    if (result == 0 && gapkit_server_bound_port(server) != port) result = 4;
    if (result == 0 && strlen(gapkit_server_certificate_digest(server)) != 95) result = 5;
    const uint8_t byte = 1;
    if (result == 0 && gapkit_server_send(server, 0, &byte, 1) != -1) result = 6;
    if (result == 0 && strlen(gapkit_server_last_error(server)) == 0) result = 7;
    if (result == 0 && gapkit_server_num_players(server) != 0) result = 8;
    gapkit_server_destroy(server);
    return result;
}

int gapkit_server_c_bad_config(char* error, size_t error_bytes) {
    gapkit_server_config config;
    gapkit_server_config_init(&config);
    config.max_clients = 0;
    gapkit_server* server = gapkit_server_create(&config, 0, NULL, error, error_bytes);
    gapkit_server_destroy(server);
    return server == NULL ? 0 : 1;
}
