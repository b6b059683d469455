/* The client C API in a C program, built by the Windows build (`make windows`) and run under Wine
 * by wine_bot_test.sh: connects to a local-mode server with the development key and leaves.
 *   gapkit_c_client <ip:port> [protocol id, default 80085 (spaceships)]
 * Exits 0 once connected, 1 when the client failed or 20 s passed. */
#ifndef _WIN32
#define _POSIX_C_SOURCE 199309L
#endif
#include <stdio.h>
#include <stdlib.h>

#ifdef _WIN32
#include <windows.h>
static void SleepTenMilliseconds(void) { Sleep(10); }
#else
#include <time.h>
static void SleepTenMilliseconds(void) {
    const struct timespec tick = {0, 10 * 1000 * 1000};
    nanosleep(&tick, NULL);
}
#endif

#include "gapkit/client.h"

static int WaitForConnection(gapkit_client* client) {
    double now = 1.0;
    for (int i = 0; i < 2000; ++i, now += 0.01) {
        gapkit_client_update(client, now);
        gapkit_client_event event;
        while (gapkit_client_poll(client, &event)) {
            if (event.type != GAPKIT_EVENT_STATE_CHANGED) continue;
            printf("c client: %s %s\n", gapkit_client_state_name(event.state), event.text);
            if (event.state == GAPKIT_CLIENT_CONNECTED) return 0;
            if (event.state == GAPKIT_CLIENT_FAILED || event.state == GAPKIT_CLIENT_DISCONNECTED) return 1;
        }
        SleepTenMilliseconds();
    }
    fprintf(stderr, "c client: not connected within 20 s\n");
    return 1;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s <ip:port> [protocol id]\n", argv[0]);
        return 2;
    }
    const uint64_t protocol_id = argc > 2 ? strtoull(argv[2], NULL, 10) : 80085;
    char error[256] = "";
    gapkit_client* client = gapkit_client_create(NULL, error, sizeof error);
    if (client == NULL) {
        fprintf(stderr, "c client: %s\n", error);
        return 1;
    }
    uint8_t key[32];
    gapkit_dev_private_key(key);
    int result = 1;
    if (gapkit_client_connect_direct(client, argv[1], protocol_id, key) != 0) {
        fprintf(stderr, "c client: %s\n", gapkit_client_last_error(client));
    } else {
        result = WaitForConnection(client);
        gapkit_client_disconnect(client);
    }
    gapkit_client_destroy(client);
    return result;
}
