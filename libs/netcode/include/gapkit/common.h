/*
 * gapkit/common.h: the part of the C API that the server (gapkit/server.h) and the client
 * (gapkit/client.h) share: routing gapkit's log messages, and the public development key. Both
 * headers include it, so a C program need not include it itself. It is defined in gapkit::netcode,
 * the lowest library that gapkit::server and gapkit::client both link, and the first that has
 * both the log facade (gapkit/common/log.hpp) and the key (gapkit/netcode/private_key.hpp).
 *
 * Threads: every function here may be called from any thread. No function lets an exception
 * escape.
 */
#ifndef GAPKIT_COMMON_H
#define GAPKIT_COMMON_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Values equal gapkit::common::LogLevel; a message is more verbose as the value grows. */
typedef enum gapkit_log_level {
    GAPKIT_LOG_ERROR = 0,
    GAPKIT_LOG_WARN = 1,
    GAPKIT_LOG_INFO = 2,
    GAPKIT_LOG_DEBUG = 3,
    GAPKIT_LOG_TRACE = 4
} gapkit_log_level;

/* Receives one message: `level` a gapkit_log_level value, `component` a short name such as "server",
 * "bus" or "client", `message` the text without a trailing newline. Both strings are
 * NUL-terminated and valid only during the call. */
typedef void (*gapkit_log_callback)(int level, const char* component, const char* message, void* user);

/* Routes every gapkit message of the process (server, client, bus, netcode) to `callback`, with
 * `user` passed back unchanged; NULL restores the default, one line per message on stderr.
 *
 * The callback is called on whichever thread logged: the game's thread inside update/poll, but
 * also the server's internal worker thread, the client's matchmaker thread and NATS's own threads,
 * possibly at the same time. So it must be thread-safe, must return quickly, and must not call
 * back into gapkit. A message already being delivered when the callback is replaced may still
 * reach the old one; keep `user` alive until the process no longer logs through it. gapkit never
 * logs keys, tokens or passwords. */
void gapkit_set_log_callback(gapkit_log_callback callback, void* user);

/* Messages more verbose than `level` are dropped before they are formatted. Default
 * GAPKIT_LOG_INFO; out-of-range values are clamped to ERROR..TRACE. */
void gapkit_set_log_level(gapkit_log_level level);

/* Writes the public development key into `key` (bytes 1..9, then zeros, then 1;
 * gapkit::netcode::DevPrivateKey()). A server in local mode with an all-zero private key uses it,
 * so a development client passes it to gapkit_client_connect_direct. Everyone knows it: never
 * deploy a server with it. NULL is ignored. */
void gapkit_dev_private_key(uint8_t key[32]);

#ifdef __cplusplus
}
#endif

#endif /* GAPKIT_COMMON_H */
