# Every third-party dependency, found once. All come from Debian 12 packages (see the Makefile's
# `deps` target); nothing is downloaded at build time.

# A Windows cross build finds the same targets among header-only and cross-built libraries.
if(WIN32 AND CMAKE_CROSSCOMPILING)
  include(GapkitWindowsDependencies)
  return()
endif()

# Boost 1.81 must win over any other Boost on the machine (Debian's default is 1.74).
find_package(Boost 1.81.0 EXACT REQUIRED COMPONENTS json url CONFIG)
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(tl-expected REQUIRED)
include(FindNatsC)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(sodium REQUIRED IMPORTED_TARGET libsodium)
# WebTransport (libs/webtransport): QUIC with gnutls, and nghttp3 for its QPACK coder only.
pkg_check_modules(ngtcp2 REQUIRED IMPORTED_TARGET libngtcp2 libngtcp2_crypto_gnutls gnutls)
pkg_check_modules(nghttp3 REQUIRED IMPORTED_TARGET libnghttp3)

if(GAPKIT_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(GAPKIT_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
