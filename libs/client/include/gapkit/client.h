#pragma once

/* The C API of gapkit::client (gapkit/client/game_client.hpp), for engines and languages that bind
 * C. Same model: tick driven, single-threaded (call every function for one handle from one thread),
 * no callbacks but the optional log callback (gapkit/common.h, included here, with the development
 * key). Functions returning int return 0 on success and -1 on failure; then
 * gapkit_client_last_error() says why. No function blocks on the network.
 *
 * Ownership: a handle from gapkit_client_create() is freed with gapkit_client_destroy(). Strings and
 * buffers the library returns are owned by the handle and stay valid until the next call on it
 * that names them (see each function). Strings passed in are copied. */

#include <stddef.h>
#include <stdint.h>

#include "gapkit/common.h" /* gapkit_set_log_callback, gapkit_dev_private_key */

#ifdef __cplusplus
extern "C" {
#endif

/* Values equal gapkit::client::ClientState. */
typedef enum gapkit_client_state {
    GAPKIT_CLIENT_IDLE = 0,
    GAPKIT_CLIENT_MATCHMAKING = 1,
    GAPKIT_CLIENT_CONNECTING = 2,
    GAPKIT_CLIENT_CONNECTED = 3,
    GAPKIT_CLIENT_DISCONNECTED = 4,
    GAPKIT_CLIENT_FAILED = 5,
    GAPKIT_CLIENT_SERVER_FOUND = 6 /* own_transport: see gapkit_client_connection_request */
} gapkit_client_state;

/* Values equal gapkit::client::FailureReason. */
typedef enum gapkit_client_failure {
    GAPKIT_FAILURE_NONE = 0,
    GAPKIT_FAILURE_MATCHMAKER_UNREACHABLE = 1,
    GAPKIT_FAILURE_MATCHMAKER_ERROR = 2,
    GAPKIT_FAILURE_MALFORMED_REPLY = 3,
    GAPKIT_FAILURE_MATCHMAKER_CLOSED = 4,
    GAPKIT_FAILURE_MATCHMAKING_TIMED_OUT = 5,
    GAPKIT_FAILURE_INVALID_CONNECT_TOKEN = 6,
    GAPKIT_FAILURE_CONNECT_TOKEN_EXPIRED = 7,
    GAPKIT_FAILURE_CONNECTION_DENIED = 8,
    GAPKIT_FAILURE_CONNECTION_TIMED_OUT = 9,
    GAPKIT_FAILURE_CONNECTION_LOST = 10,
    GAPKIT_FAILURE_LOCAL_NETWORK_ERROR = 11,
    GAPKIT_FAILURE_MATCHMAKER_BUSY = 12
} gapkit_client_failure;

/* Values equal gapkit::client::ClientEventType. */
typedef enum gapkit_client_event_type {
    GAPKIT_EVENT_STATE_CHANGED = 0,
    GAPKIT_EVENT_PROGRESS = 1,
    GAPKIT_EVENT_PAYLOAD = 2
} gapkit_client_event_type;

/* Settings; see gapkit::client::GameClientConfig for meanings. Fill with
 * gapkit_client_config_init() first, then change what you need. */
typedef struct gapkit_client_config {
    const char* matchmaker_url;                /* ws:// or wss://; MATCHMAKER_URL overrides. */
    uint64_t protocol_id;                      /* 0: accept any token protocol id. */
    double matchmaking_timeout_seconds;        /* Default 120. */
    double matchmaker_connect_timeout_seconds; /* Default 10. */
    double connect_timeout_seconds;            /* Default 15. */
    int own_transport; /* Nonzero: stop at the connect token (SERVER_FOUND), for a game with its own
                          networking (docs/own-transport.md). Default 0. */
} gapkit_client_config;

/* One event. `text` (NUL-terminated) and `payload` are owned by the handle and valid until the
 * next gapkit_client_poll() or gapkit_client_destroy() on it. */
typedef struct gapkit_client_event {
    gapkit_client_event_type type;
    gapkit_client_state state;    /* The state after this event. */
    gapkit_client_failure reason; /* STATE_CHANGED to FAILED or DISCONNECTED. */
    const char* text;             /* Player-facing text; "" when none. */
    const uint8_t* payload;       /* PAYLOAD only; NULL otherwise. */
    size_t payload_bytes;
} gapkit_client_event;

typedef struct gapkit_client gapkit_client;

/* Fills `config` with the defaults. */
void gapkit_client_config_init(gapkit_client_config* config);

/* Creates an idle client, or returns NULL and writes the reason (NUL-terminated, truncated) into
 * `error` when `error_bytes` > 0. `config` may be NULL for the defaults. */
gapkit_client* gapkit_client_create(const gapkit_client_config* config, char* error, size_t error_bytes);

/* Stops everything and frees the handle. NULL is ignored. */
void gapkit_client_destroy(gapkit_client* client);

int gapkit_client_find_server(gapkit_client* client, const char* game, const char* version);

/* Development mode: `address` "ip:port", `dev_key` the server's 32-byte private key (for a local-mode
 * server started without a key, the one gapkit_dev_private_key() writes). */
int gapkit_client_connect_direct(gapkit_client* client, const char* address, uint64_t protocol_id,
                                 const uint8_t dev_key[32]);

void gapkit_client_cancel(gapkit_client* client);
void gapkit_client_disconnect(gapkit_client* client);
void gapkit_client_update(gapkit_client* client, double now_seconds);

/* Returns 1 and fills `event` when there is one, 0 otherwise. */
int gapkit_client_poll(gapkit_client* client, gapkit_client_event* event);

int gapkit_client_send(gapkit_client* client, const uint8_t* payload, size_t payload_bytes);

/* own_transport: the 1078-byte connection request (GAPKIT_CONNECTION_REQUEST_BYTES in
 * gapkit/server.h) to send to the server's session gate, written into `out` (`out_bytes` >= 1078).
 * 0 on success; -1 before a token is held or when `out` is too small. */
int gapkit_client_connection_request(gapkit_client* client, uint8_t* out, size_t out_bytes);

/* The server's address "ip:port" (once known), NUL-terminated and truncated to buffer_bytes; returns
 * the whole length as snprintf does (64 bytes are always enough), -1 for a NULL handle. */
int gapkit_client_server_address(const gapkit_client* client, char* buffer, size_t buffer_bytes);

gapkit_client_state gapkit_client_get_state(const gapkit_client* client);
gapkit_client_failure gapkit_client_get_failure(const gapkit_client* client);

/* The last failed call's reason; "" when none. Valid until the next call on the handle. */
const char* gapkit_client_last_error(const gapkit_client* client);

/* "idle", ..., and "none", "matchmaker_unreachable", ... Static strings. */
const char* gapkit_client_state_name(gapkit_client_state state);
const char* gapkit_client_failure_name(gapkit_client_failure reason);

#ifdef __cplusplus
}
#endif
