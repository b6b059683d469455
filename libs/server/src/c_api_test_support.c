/* Compiled as C: proves gapkit/server.h is valid C and usable from a C engine. */
#include "c_api_test_support.h"

#include <stdatomic.h>
#include <stdio.h>
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

/* Written from whichever thread logs, hence atomic. */
typedef struct log_record {
    atomic_int messages;
    atomic_int dev_key_warnings; /* "server" warnings that mention the development key. */
} log_record;

static void RecordLog(int level, const char* component, const char* message, void* user) {
    log_record* record = (log_record*)user;
    atomic_fetch_add(&record->messages, 1);
    if (level == GAPKIT_LOG_WARN && strcmp(component, "server") == 0 && strstr(message, "development key") != NULL) {
        atomic_fetch_add(&record->dev_key_warnings, 1);
    }
}

static int CheckDevKey(void) {
    uint8_t key[32];
    memset(key, 0xff, sizeof key);
    gapkit_dev_private_key(key);
    for (int i = 0; i < 9; ++i) {
        if (key[i] != i + 1) return 0;
    }
    for (int i = 9; i < 31; ++i) {
        if (key[i] != 0) return 0;
    }
    return key[31] == 1;
}

static int CheckAddress(const gapkit_server* server, uint16_t port) {
    char expected[GAPKIT_SERVER_ADDRESS_BYTES];
    snprintf(expected, sizeof expected, "127.0.0.1:%u", (unsigned)port);
    char address[GAPKIT_SERVER_ADDRESS_BYTES];
    if (gapkit_server_advertised_address(server, address, sizeof address) != (int)strlen(expected)) return 0;
    if (strcmp(address, expected) != 0) return 0;
    char tiny[5];
    if (gapkit_server_advertised_address(server, tiny, sizeof tiny) != (int)strlen(expected)) return 0;
    if (strcmp(tiny, "127.") != 0) return 0;
    return gapkit_server_advertised_address(NULL, address, sizeof address) == -1;
}

int gapkit_server_c_parity(uint16_t port, uint16_t webtransport_port, char* error, size_t error_bytes) {
    if (!CheckDevKey()) return 1;
    log_record record;
    atomic_init(&record.messages, 0);
    atomic_init(&record.dev_key_warnings, 0);
    gapkit_set_log_level(GAPKIT_LOG_DEBUG);
    gapkit_set_log_callback(RecordLog, &record);

    gapkit_server_config config;
    gapkit_server_config_init(&config);
    if (config.local_webtransport_port != 0 || strcmp(config.webtransport_port_name, "webtransport") != 0) return 2;
    config.local_port = port;
    config.local_webtransport_port = webtransport_port;
    config.use_bus = 0; /* private_key stays all zeros: the development key, with a warning. */
    gapkit_server* server = gapkit_server_create(&config, 0, NULL, error, error_bytes);
    gapkit_set_log_callback(NULL, NULL);
    gapkit_set_log_level(GAPKIT_LOG_INFO);
    if (server == NULL) return 3;
    int result = 0;
    if (atomic_load(&record.dev_key_warnings) != 1 || atomic_load(&record.messages) < 2) result = 4;
    if (result == 0 && gapkit_server_webtransport_port(server) != webtransport_port) result = 5;
    if (result == 0 && !CheckAddress(server, port)) result = 6;
    gapkit_server_destroy(server);
    return result;
}

int gapkit_server_c_enum_names(void) {
    const gapkit_server_event_type type = GAPKIT_SERVER_EVENT_SELF_STOPPING;
    const gapkit_server_leave_reason reason = GAPKIT_SERVER_LEAVE_TIMED_OUT;
    const gapkit_log_level level = GAPKIT_LOG_TRACE;
    return type == 4 && reason == 1 && level == 4 ? 0 : 1;
}

int gapkit_gate_c_admits(uint16_t port, const uint8_t* request, size_t request_bytes, char* error, size_t error_bytes) {
    gapkit_server_config config;
    gapkit_server_config_init(&config);
    config.protocol_id = 80085;
    config.local_port = port;
    config.use_bus = 0;
    gapkit_gate* gate = gapkit_gate_create(&config, 0, NULL, error, error_bytes);
    if (gate == NULL) return 1;
    gapkit_gate_admission admission;
    gapkit_gate_event event;
    memset(&admission, 0, sizeof(admission));
    memset(&event, 0, sizeof(event));
    int result = 0;
    if (gapkit_gate_game_port(gate) != port) result = 2;
    if (result == 0 && gapkit_gate_admit(gate, request, request_bytes, &admission) != 0) {
        snprintf(error, error_bytes, "%s", gapkit_gate_last_error(gate));
        result = 3;
    }
    gapkit_gate_update(gate, 1.0);
    if (result == 0 && (gapkit_gate_poll(gate, &event) != 1 || event.type != GAPKIT_GATE_EVENT_PLAYER_JOINED ||
                        event.client_id != admission.client_id)) {
        result = 4;
    }
    if (result == 0 && gapkit_gate_admit(gate, request, request_bytes, &admission) != -1) result = 5;
    if (result == 0 && gapkit_gate_admit(gate, request, 10, &admission) != -1) result = 6;
    if (result == 0 && gapkit_gate_num_players(gate) != 1) result = 7;
    gapkit_gate_release(gate, event.player_index, event.client_id, GAPKIT_SERVER_LEAVE_CLIENT_DISCONNECTED);
    if (result == 0 && (gapkit_gate_poll(gate, &event) != 1 || event.type != GAPKIT_GATE_EVENT_PLAYER_LEFT)) result = 8;
    gapkit_gate_destroy(gate);
    return result;
}
