/*
 * gapkit/server.h: the C API of gapkit::server (see gapkit/server/game_server.hpp and, for games
 * with their own transport, gapkit/server/session_gate.hpp), for engines written in C or bound
 * from other languages. Same behaviour, plain C types.
 *
 * Threads: call every function for one server from one thread (the game loop): update once per
 * tick, then poll until it returns 0. The library runs one internal worker thread for bus and
 * HTTP calls and never calls back into the game from it; events arrive only through poll. The one
 * exception is the optional log callback (gapkit/common.h, included here with the development key),
 * which any thread may call, the worker included.
 *
 * Ownership: gapkit_server_create returns a handle the caller frees with gapkit_server_destroy.
 * Strings and payload pointers handed out stay valid until the next call on the same handle
 * (update, poll, send, disconnect, destroy). No function here lets an exception escape.
 */
#ifndef GAPKIT_SERVER_H
#define GAPKIT_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "gapkit/common.h" /* gapkit_set_log_callback, gapkit_dev_private_key */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gapkit_server gapkit_server;

/* Mirrors GameServerConfig; fill with gapkit_server_config_init, then change what you need. */
typedef struct gapkit_server_config {
    uint64_t protocol_id;                 /* netcode protocol id; 0 = GAPKIT_PROTOCOL_ID. Default 0. */
    uint8_t private_key[32];              /* Secret. All zeros = GAPKIT_PRIVATE_KEY(_FILE), else dev key locally. */
    int max_clients;                      /* 1..256. Default 64. */
    uint16_t local_port;                  /* Local mode UDP port, 1..65535. Default 6420. */
    const char* local_public_ip;          /* Local mode advertised IP; NULL = "127.0.0.1". */
    const char* game_port_name;           /* Port name in ARBITRIUM_PORTS_MAPPING; NULL or "" = first UDP port. */
    int require_session;                  /* Nonzero: disconnect clients without a session. Default 1. */
    double self_stop_after_empty_seconds; /* 0 = never. Default 0. */
    int use_bus;                          /* Nonzero: connect NATS (see the C++ header). Default 1. */
    const char* webtransport_port_name;   /* Browsers' port name on Edgegap; "" = none. Default "webtransport". */
    uint16_t local_webtransport_port;     /* Local mode WebTransport UDP port; 0 = none. Default 0. */
} gapkit_server_config;

/* Values of gapkit_server_event.type: gapkit::server::ServerEventType, counted from 1. */
typedef enum gapkit_server_event_type {
    GAPKIT_SERVER_EVENT_PLAYER_JOINED = 1,
    GAPKIT_SERVER_EVENT_PLAYER_LEFT = 2,
    GAPKIT_SERVER_EVENT_PAYLOAD = 3,
    GAPKIT_SERVER_EVENT_SELF_STOPPING = 4
} gapkit_server_event_type;

/* Values of gapkit_server_event.leave_reason; equal gapkit::server::LeaveReason. */
typedef enum gapkit_server_leave_reason {
    GAPKIT_SERVER_LEAVE_CLIENT_DISCONNECTED = 0,
    GAPKIT_SERVER_LEAVE_TIMED_OUT = 1,
    GAPKIT_SERVER_LEAVE_SERVER_DISCONNECTED = 2,
    GAPKIT_SERVER_LEAVE_SERVER_STOPPED = 3
} gapkit_server_leave_reason;

#define GAPKIT_SERVER_SESSION_ID_BYTES 128
/* Enough for any advertised address, "[IPv6]:port" included, with its NUL. */
#define GAPKIT_SERVER_ADDRESS_BYTES 64

typedef struct gapkit_server_event {
    gapkit_server_event_type type;                   /* GAPKIT_SERVER_EVENT_* */
    int client_index;                                /* netcode slot; -1 for SELF_STOPPING */
    uint64_t client_id;                              /* from the connect token */
    char session_id[GAPKIT_SERVER_SESSION_ID_BYTES]; /* NUL-terminated Edgegap session id ("" without bus) */
    uint8_t user_data[256];                          /* PLAYER_JOINED: the token's user data */
    gapkit_server_leave_reason leave_reason;         /* PLAYER_LEFT: GAPKIT_SERVER_LEAVE_* */
    const uint8_t* payload;                          /* PAYLOAD: the bytes (owned by the server) */
    size_t payload_bytes;                            /* PAYLOAD: 1..1200 */
} gapkit_server_event;

/* Sets every field to its default. */
void gapkit_server_config_init(gapkit_server_config* config);

/* Starts a server (reads ARBITRIUM_*, NATS_* and --ca_contents from argv). Returns NULL on failure
 * and writes the reason, NUL-terminated and truncated to error_bytes, into error (may be NULL). */
gapkit_server* gapkit_server_create(const gapkit_server_config* config, int argc, const char* const* argv, char* error,
                                    size_t error_bytes);

/* One tick; now_seconds is any monotonic clock in seconds. */
void gapkit_server_update(gapkit_server* server, double now_seconds);

/* Copies the oldest event into *event: 1 when there was one, 0 otherwise. */
int gapkit_server_poll(gapkit_server* server, gapkit_server_event* event);

/* Sends a datagram to a joined player: 0 on success, -1 on failure (see gapkit_server_last_error). */
int gapkit_server_send(gapkit_server* server, int client_index, const uint8_t* data, size_t bytes);

/* Disconnects a client; a PLAYER_LEFT event follows if it had joined. */
void gapkit_server_disconnect(gapkit_server* server, int client_index);

int gapkit_server_num_players(const gapkit_server* server);
/* The UDP port the netcode server is bound to. */
uint16_t gapkit_server_bound_port(const gapkit_server* server);
/* The UDP port the WebTransport endpoint for browsers is bound to; 0 when there is none. */
uint16_t gapkit_server_webtransport_port(const gapkit_server* server);
/* Writes the address players' connect tokens must name, "<ip>:<port>" (the public IP and external
 * port on Edgegap, local_public_ip:local_port in local mode), NUL-terminated and truncated to
 * buffer_bytes, into buffer. Returns the length of the whole address without the NUL, as snprintf
 * does, so a result >= buffer_bytes means it was truncated (GAPKIT_SERVER_ADDRESS_BYTES is always
 * enough); -1 when server is NULL. buffer may be NULL when buffer_bytes is 0. */
int gapkit_server_advertised_address(const gapkit_server* server, char* buffer, size_t buffer_bytes);
/* The certificate's SHA-256 digest ("ab:cd:..."), and its PEM text. */
const char* gapkit_server_certificate_digest(const gapkit_server* server);
const char* gapkit_server_certificate_pem(const gapkit_server* server);

/* The message of the last failed call on this handle ("" if none). */
const char* gapkit_server_last_error(const gapkit_server* server);

/* Stops (clearing active connections) and frees the server. NULL is ignored. */
void gapkit_server_destroy(gapkit_server* server);

/* ---- The session gate: matchmaking for a game with its own transport (docs/own-transport.md).
 * No socket: the game hands gapkit_gate_admit the first message of each connection (the 1078-byte
 * connection request) and reports with gapkit_gate_release every admitted connection that ends. */
typedef struct gapkit_gate gapkit_gate;

/* Values of gapkit_gate_event.type: gapkit::server::GateEventType, counted from 1. */
typedef enum gapkit_gate_event_type {
    GAPKIT_GATE_EVENT_PLAYER_JOINED = 1,
    GAPKIT_GATE_EVENT_PLAYER_REFUSED = 2, /* the matchmaker refused it: close this connection */
    GAPKIT_GATE_EVENT_PLAYER_LEFT = 3,
    GAPKIT_GATE_EVENT_SELF_STOPPING = 4
} gapkit_gate_event_type;

typedef struct gapkit_gate_event {
    gapkit_gate_event_type type;                     /* GAPKIT_GATE_EVENT_* */
    int player_index;                                /* the slot gapkit_gate_admit returned; -1 for SELF_STOPPING */
    uint64_t client_id;                              /* from the connect token */
    char session_id[GAPKIT_SERVER_SESSION_ID_BYTES]; /* NUL-terminated Edgegap session id ("" without bus) */
    uint8_t user_data[256];                          /* PLAYER_JOINED: the token's user data */
    gapkit_server_leave_reason leave_reason;         /* PLAYER_LEFT: GAPKIT_SERVER_LEAVE_* */
} gapkit_gate_event;

/* The size of the connection request a client sends (gapkit_client_connection_request). */
#define GAPKIT_CONNECTION_REQUEST_BYTES 1078

/* What the gate learned from an admitted client's token. The keys are secrets shared with that
 * client only; a game may use them to encrypt its own channel. */
typedef struct gapkit_gate_admission {
    int player_index;        /* the slot, 0..max_clients-1 */
    uint64_t client_id;      /* chosen by the matchmaker */
    uint8_t user_data[256];  /* from the token */
    int32_t timeout_seconds; /* the token's connection timeout; negative: none */
    uint8_t client_to_server_key[32];
    uint8_t server_to_client_key[32];
} gapkit_gate_admission;

/* Starts a gate with the same config and environment as gapkit_server_create (the WebTransport
 * fields are ignored). NULL on failure, with the reason in error as gapkit_server_create does. */
gapkit_gate* gapkit_gate_create(const gapkit_server_config* config, int argc, const char* const* argv, char* error,
                                size_t error_bytes);
/* Checks a connection request (any bytes) and takes a player slot for it: 0 and *admission
 * filled, or -1 (see gapkit_gate_last_error: malformed, forged, expired, another protocol id or
 * server, used before, full). */
int gapkit_gate_admit(gapkit_gate* gate, const uint8_t* bytes, size_t byte_count, gapkit_gate_admission* admission);
/* The connection admitted as player_index / client_id ended; ignored if the slot holds someone else. */
void gapkit_gate_release(gapkit_gate* gate, int player_index, uint64_t client_id, gapkit_server_leave_reason reason);
void gapkit_gate_update(gapkit_gate* gate, double now_seconds);
/* Copies the oldest event into *event: 1 when there was one, 0 otherwise. */
int gapkit_gate_poll(gapkit_gate* gate, gapkit_gate_event* event);
int gapkit_gate_num_players(const gapkit_gate* gate);
/* The port the game's own socket should bind (the game port's internal port on Edgegap). */
uint16_t gapkit_gate_game_port(const gapkit_gate* gate);
/* As gapkit_server_advertised_address. */
int gapkit_gate_advertised_address(const gapkit_gate* gate, char* buffer, size_t buffer_bytes);
const char* gapkit_gate_last_error(const gapkit_gate* gate);
/* Stops (every player leaves) and frees the gate. NULL is ignored. */
void gapkit_gate_destroy(gapkit_gate* gate);

#ifdef __cplusplus
}
#endif

#endif /* GAPKIT_SERVER_H */
