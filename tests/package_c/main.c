/* A C game's server and client against an installed gapkit, in one process: a local-mode server
 * (no bus) and a direct-mode client exchange one payload each way over loopback.
 *   c_consumer <first UDP port to try>
 * Exits 0 when the server got "ping" and the client got "pong" back. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gapkit/client.h"
#include "gapkit/server.h"

static const uint64_t kProtocolId = 0x5043;

/* The first free port from `first_port` on (another test may hold one); NULL when none was. */
static gapkit_server* StartServer(const uint8_t key[32], int first_port) {
    char error[256] = "";
    for (int port = first_port; port < first_port + 16 && port <= 65535; ++port) {
        gapkit_server_config config;
        gapkit_server_config_init(&config);
        config.protocol_id = kProtocolId;
        memcpy(config.private_key, key, 32);
        config.local_port = (uint16_t)port;
        config.use_bus = 0;
        gapkit_server* server = gapkit_server_create(&config, 0, NULL, error, sizeof error);
        if (server != NULL) return server;
    }
    fprintf(stderr, "c_consumer: no server: %s\n", error);
    return NULL;
}

/* Runs both sides until the client holds the server's answer; 0 on success. */
static int PlayOneExchange(gapkit_server* server, gapkit_client* client) {
    const struct timespec tick = {0, 10 * 1000 * 1000};
    const uint8_t ping[4] = {'p', 'i', 'n', 'g'};
    const uint8_t pong[4] = {'p', 'o', 'n', 'g'};
    double now = 1.0;
    for (int i = 0; i < 1000; ++i, now += 0.01) {
        gapkit_server_update(server, now);
        gapkit_client_update(client, now);
        gapkit_server_event server_event;
        while (gapkit_server_poll(server, &server_event)) {
            if (server_event.type == GAPKIT_SERVER_EVENT_PAYLOAD && server_event.payload_bytes == sizeof ping &&
                memcmp(server_event.payload, ping, sizeof ping) == 0)
                gapkit_server_send(server, server_event.client_index, pong, sizeof pong);
        }
        gapkit_client_event client_event;
        while (gapkit_client_poll(client, &client_event)) {
            if (client_event.type == GAPKIT_EVENT_STATE_CHANGED && client_event.state == GAPKIT_CLIENT_CONNECTED)
                gapkit_client_send(client, ping, sizeof ping);
            if (client_event.type == GAPKIT_EVENT_PAYLOAD && client_event.payload_bytes == sizeof pong &&
                memcmp(client_event.payload, pong, sizeof pong) == 0)
                return 0;
        }
        nanosleep(&tick, NULL);
    }
    fprintf(stderr, "c_consumer: no answer; client %s (%s)\n",
            gapkit_client_state_name(gapkit_client_get_state(client)),
            gapkit_client_failure_name(gapkit_client_get_failure(client)));
    return 1;
}

int main(int argc, char** argv) {
    const int first_port = argc > 1 ? atoi(argv[1]) : 26420;
    uint8_t key[32];
    for (int i = 0; i < 32; ++i) key[i] = (uint8_t)(0xc0 + i);
    gapkit_server* server = StartServer(key, first_port);
    if (server == NULL) return 1;
    char address[32];
    snprintf(address, sizeof address, "127.0.0.1:%u", (unsigned)gapkit_server_bound_port(server));

    gapkit_client_config config;
    gapkit_client_config_init(&config);
    config.protocol_id = kProtocolId;
    char error[256] = "";
    gapkit_client* client = gapkit_client_create(&config, error, sizeof error);
    int result = 1;
    if (client == NULL) {
        fprintf(stderr, "c_consumer: no client: %s\n", error);
    } else if (gapkit_client_connect_direct(client, address, kProtocolId, key) != 0) {
        fprintf(stderr, "c_consumer: connect: %s\n", gapkit_client_last_error(client));
    } else {
        result = PlayOneExchange(server, client);
    }
    gapkit_client_destroy(client);
    gapkit_server_destroy(server);
    if (result == 0) printf("c_consumer: ping and pong over %s\n", address);
    return result;
}
