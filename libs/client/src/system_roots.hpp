#pragma once

// The root certificates a wss:// matchmaker link trusts. Called by the link's constructor (the game
// thread); touches only the given context.

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

namespace gapkit::client::detail {

/// Trusts OpenSSL's default verify paths (SSL_CERT_FILE, SSL_CERT_DIR, else the distribution's
/// bundle) and, on Windows, the certificates of the system's "ROOT" store, which OpenSSL does not
/// read by itself (its default paths there name a folder of the build machine). The error is that
/// of the default paths; an unreadable Windows store only adds nothing.
boost::system::error_code TrustSystemRoots(boost::asio::ssl::context& tls);

}  // namespace gapkit::client::detail
