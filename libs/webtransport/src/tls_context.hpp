#pragma once

// The endpoint's TLS side: gnutls certificate credentials and the priority settings every QUIC
// server session shares. One per endpoint, used from its thread only.

#include <memory>
#include <string>

#include <gnutls/gnutls.h>

#include "gapkit/common/result.hpp"

struct ngtcp2_crypto_conn_ref;

namespace gapkit::webtransport::detail {

class TlsContext {
  public:
    /// Loads the PEM certificate and key. Errors carry gnutls's reason, never the key.
    static common::Result<std::unique_ptr<TlsContext>> Load(const std::string& certificate_pem,
                                                            const std::string& private_key_pem);
    ~TlsContext();
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;

    /// A server session set up for QUIC (TLS 1.3 only, ALPN "h3" required) whose ngtcp2 callbacks
    /// find their connection through `conn_ref`, which must outlive the session. The caller owns
    /// the session (`gnutls_deinit`).
    common::Result<gnutls_session_t> NewServerSession(ngtcp2_crypto_conn_ref* conn_ref) const;

  private:
    TlsContext() = default;
    gnutls_certificate_credentials_t credentials_ = nullptr;
    gnutls_priority_t priority_ = nullptr;
};

}  // namespace gapkit::webtransport::detail
