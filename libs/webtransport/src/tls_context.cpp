#include "tls_context.hpp"

#include <array>

#include <fmt/format.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

namespace gapkit::webtransport::detail {
namespace {

using common::ErrorCode;

// QUIC forbids TLS 1.3's middlebox compatibility mode (RFC 9001 §8.4), and ngtcp2's gnutls glue
// supports exactly these AEADs.
constexpr const char* kPriority =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:"
    "%DISABLE_TLS13_COMPAT_MODE";

constexpr std::string_view kAlpn = "h3";

common::Error TlsError(std::string_view what, int code) {
    return common::Error(ErrorCode::kTls, fmt::format("{}: {}", what, gnutls_strerror(code)));
}

gnutls_datum_t Datum(const std::string& text) {
    // gnutls takes a non-const pointer but only reads the PEM.
    return gnutls_datum_t{reinterpret_cast<unsigned char*>(const_cast<char*>(text.data())),
                          static_cast<unsigned>(text.size())};
}

}  // namespace

common::Result<std::unique_ptr<TlsContext>> TlsContext::Load(const std::string& certificate_pem,
                                                             const std::string& private_key_pem) {
    std::unique_ptr<TlsContext> context(new TlsContext());
    if (int rv = gnutls_certificate_allocate_credentials(&context->credentials_); rv != 0) {
        return common::Fail(TlsError("allocating certificate credentials", rv));
    }
    const gnutls_datum_t certificate = Datum(certificate_pem);
    const gnutls_datum_t key = Datum(private_key_pem);
    if (int rv = gnutls_certificate_set_x509_key_mem(context->credentials_, &certificate, &key, GNUTLS_X509_FMT_PEM);
        rv < 0) {
        return common::Fail(TlsError("loading the certificate and key", rv));
    }
    if (int rv = gnutls_priority_init(&context->priority_, kPriority, nullptr); rv != 0) {
        return common::Fail(TlsError("setting TLS priorities", rv));
    }
    return context;
}

TlsContext::~TlsContext() {
    if (priority_ != nullptr) {
        gnutls_priority_deinit(priority_);
    }
    if (credentials_ != nullptr) {
        gnutls_certificate_free_credentials(credentials_);
    }
}

common::Result<gnutls_session_t> TlsContext::NewServerSession(ngtcp2_crypto_conn_ref* conn_ref) const {
    gnutls_session_t session = nullptr;
    if (int rv = gnutls_init(&session, GNUTLS_SERVER | GNUTLS_NO_END_OF_EARLY_DATA); rv != 0) {
        return common::Fail(TlsError("creating a TLS session", rv));
    }
    auto fail = [&](std::string_view what, int rv) {
        gnutls_deinit(session);
        return common::Fail(TlsError(what, rv));
    };
    if (int rv = ngtcp2_crypto_gnutls_configure_server_session(session); rv != 0) {
        gnutls_deinit(session);
        return common::MakeError(ErrorCode::kTls, "ngtcp2 could not configure the TLS session");
    }
    if (int rv = gnutls_priority_set(session, priority_); rv != 0) {
        return fail("setting TLS priorities", rv);
    }
    if (int rv = gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, credentials_); rv != 0) {
        return fail("setting the certificate", rv);
    }
    std::array<gnutls_datum_t, 1> protocols{gnutls_datum_t{
        reinterpret_cast<unsigned char*>(const_cast<char*>(kAlpn.data())), static_cast<unsigned>(kAlpn.size())}};
    if (int rv = gnutls_alpn_set_protocols(session, protocols.data(), protocols.size(), GNUTLS_ALPN_MANDATORY);
        rv != 0) {
        return fail("setting ALPN", rv);
    }
    gnutls_session_set_ptr(session, conn_ref);
    return session;
}

}  // namespace gapkit::webtransport::detail
