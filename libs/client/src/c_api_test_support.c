/* Compiled as C to prove gapkit/client.h is valid C: connects in direct mode and exchanges one
 * payload, with the C++ test driving the game server through `tick`. */
#include <stdatomic.h>
#include <string.h>

#include "gapkit/client.h"

typedef void (*gapkit_test_tick)(void* context, double now_seconds);

/* Returns 0 on success, or a line number of the first failed check. */
int gapkit_client_c_api_round_trip(const char* address, uint64_t protocol_id, const uint8_t key[32],
                                   gapkit_test_tick tick, void* context) {
    gapkit_client_config config;
    gapkit_client_config_init(&config);
    config.protocol_id = protocol_id;
    char error[256] = {0};
    gapkit_client* client = gapkit_client_create(&config, error, sizeof error);
    if (client == NULL) return __LINE__;
    if (gapkit_client_find_server(client, "bad name", "1") != -1) return __LINE__;
    if (strlen(gapkit_client_last_error(client)) == 0) return __LINE__;
    if (gapkit_client_connect_direct(client, address, protocol_id, key) != 0) return __LINE__;

    int result = __LINE__;
    double now = 1.0;
    gapkit_client_event event;
    for (int i = 0; i < 500 && result != 0; ++i) {
        now += 0.01;
        tick(context, now);
        gapkit_client_update(client, now);
        while (gapkit_client_poll(client, &event)) {
            if (event.type == GAPKIT_EVENT_STATE_CHANGED && event.state == GAPKIT_CLIENT_CONNECTED) {
                const uint8_t hello[5] = {'h', 'e', 'l', 'l', 'o'};
                if (gapkit_client_send(client, hello, sizeof hello) != 0) result = __LINE__;
            }
            if (event.type == GAPKIT_EVENT_PAYLOAD && event.payload_bytes == 2 && event.payload[0] == 'o') result = 0;
        }
    }
    if (strcmp(gapkit_client_state_name(gapkit_client_get_state(client)), "connected") != 0) result = __LINE__;
    gapkit_client_disconnect(client);
    if (gapkit_client_get_state(client) != GAPKIT_CLIENT_DISCONNECTED) result = __LINE__;
    if (strcmp(gapkit_client_failure_name(GAPKIT_FAILURE_CONNECTION_DENIED), "connection_denied") != 0)
        result = __LINE__;
    gapkit_client_destroy(client);
    return result;
}

/* Called from whichever thread logs, hence atomic. */
static void CountClientLogs(int level, const char* component, const char* message, void* user) {
    if (level <= GAPKIT_LOG_INFO && strcmp(component, "client") == 0 && message[0] != '\0') {
        atomic_fetch_add((atomic_int*)user, 1);
    }
}

/* The same round trip with the key from gapkit_dev_private_key() and gapkit's log routed to a
 * callback, which must hear the client's state changes. */
int gapkit_client_c_api_dev_key_round_trip(const char* address, uint64_t protocol_id, gapkit_test_tick tick,
                                           void* context) {
    uint8_t key[32] = {0};
    gapkit_dev_private_key(key);
    if (key[0] != 1 || key[8] != 9 || key[9] != 0 || key[31] != 1) return __LINE__;
    atomic_int client_logs;
    atomic_init(&client_logs, 0);
    gapkit_set_log_level(GAPKIT_LOG_INFO);
    gapkit_set_log_callback(CountClientLogs, &client_logs);
    const int result = gapkit_client_c_api_round_trip(address, protocol_id, key, tick, context);
    gapkit_set_log_callback(NULL, NULL);
    if (result != 0) return result;
    /* idle -> connecting, connecting -> connected, connected -> disconnected. */
    return atomic_load(&client_logs) >= 3 ? 0 : __LINE__;
}
