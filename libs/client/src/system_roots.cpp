// <wincrypt.h> before any OpenSSL header: OpenSSL undoes the few names the two define alike.
#ifdef _WIN32
#include <windows.h>
// (windows.h first: wincrypt.h needs its types)
#include <wincrypt.h>
#endif

#include "system_roots.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace gapkit::client::detail {
namespace {

#ifdef _WIN32
// Players' machines keep their trusted roots (and their company's TLS-inspecting CA) in the
// Windows store; a copy of each goes into the context's OpenSSL store.
void AddWindowsRootStore(SSL_CTX* context) {
    HCERTSTORE store = ::CertOpenSystemStoreW(0, L"ROOT");
    if (store == nullptr) return;
    X509_STORE* trusted = SSL_CTX_get_cert_store(context);
    for (PCCERT_CONTEXT certificate = ::CertEnumCertificatesInStore(store, nullptr); certificate != nullptr;
         certificate = ::CertEnumCertificatesInStore(store, certificate)) {
        const unsigned char* der = certificate->pbCertEncoded;
        if (X509* x509 = d2i_X509(nullptr, &der, static_cast<long>(certificate->cbCertEncoded))) {
            X509_STORE_add_cert(trusted, x509);  // a duplicate is refused harmlessly
            X509_free(x509);
        }
    }
    ::CertCloseStore(store, 0);
}
#endif

}  // namespace

boost::system::error_code TrustSystemRoots(boost::asio::ssl::context& tls) {
    boost::system::error_code ec;
    tls.set_default_verify_paths(ec);
#ifdef _WIN32
    if (!ec) AddWindowsRootStore(tls.native_handle());
#endif
    return ec;
}

}  // namespace gapkit::client::detail
