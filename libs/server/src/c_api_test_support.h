#ifndef GAPKIT_SERVER_C_API_TEST_SUPPORT_H
#define GAPKIT_SERVER_C_API_TEST_SUPPORT_H

/* Functions written in C (c_api_test_support.c) that c_api_test.cpp runs. 0 means success, otherwise
 * the number of the failed step. */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Local mode without bus on `port`: create, update, poll, send (refused), destroy. */
int gapkit_server_c_smoke(uint16_t port, char* error, size_t error_bytes);
/* max_clients 0 must fail with a message. */
int gapkit_server_c_bad_config(char* error, size_t error_bytes);
/* Local mode with the development key and WebTransport on `webtransport_port`: the log callback
 * hears the key warning; the WebTransport port, the advertised address (whole, truncated, NULL
 * handle) and gapkit_dev_private_key are as documented. */
int gapkit_server_c_parity(uint16_t port, uint16_t webtransport_port, char* error, size_t error_bytes);
/* A session gate in local mode without bus on `port`, protocol id 80085 and the development key:
 * admits `request` (a connection request for 127.0.0.1:port), polls the join, refuses the same
 * request again, releases the player and polls its leaving. */
int gapkit_gate_c_admits(uint16_t port, const uint8_t* request, size_t request_bytes, char* error, size_t error_bytes);
/* The enums' typedef names compile in C with their values. */
int gapkit_server_c_enum_names(void);

#ifdef __cplusplus
}
#endif

#endif
