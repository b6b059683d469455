# The client side's dependencies for a MinGW-w64 cross build (cmake/mingw-w64-x86_64.cmake), as
# the same imported targets GapkitDependencies.cmake finds on Linux, so no component's CMakeLists
# changes. Only Debian's archive is used:
#   - header-only libraries (Boost's Asio and Beast, Boost.JSON and Boost.URL compiled from their
#     src.hpp in cmake/windows/boost_sources.cpp, fmt, spdlog, tl::expected, CLI11): a staging
#     folder of links to their folders under /usr/include, so the cross compiler never sees
#     /usr/include itself (Linux's C library headers would shadow MinGW's);
#   - libsodium and OpenSSL cross-built from Debian's source packages by
#     scripts/build-windows-deps.sh into GAPKIT_WINDOWS_DEPS_PREFIX.

set(GAPKIT_WINDOWS_DEPS_PREFIX ${PROJECT_BINARY_DIR}/deps/prefix CACHE PATH
  "Prefix of the cross-built libsodium and OpenSSL (scripts/build-windows-deps.sh)")
set(GAPKIT_WINDOWS_HEADER_ROOT /usr/include CACHE PATH "Where Debian's header-only libraries are")

set(staging ${PROJECT_BINARY_DIR}/windows-include)
foreach(folder IN ITEMS boost fmt spdlog tl CLI)
  if(NOT EXISTS ${GAPKIT_WINDOWS_HEADER_ROOT}/${folder})
    message(FATAL_ERROR "${GAPKIT_WINDOWS_HEADER_ROOT}/${folder} is missing: run `make deps`")
  endif()
  file(MAKE_DIRECTORY ${staging})
  file(CREATE_LINK ${GAPKIT_WINDOWS_HEADER_ROOT}/${folder} ${staging}/${folder} SYMBOLIC)
endforeach()

foreach(library IN ITEMS libsodium.a libssl.a libcrypto.a)
  if(NOT EXISTS ${GAPKIT_WINDOWS_DEPS_PREFIX}/lib/${library})
    message(FATAL_ERROR "${GAPKIT_WINDOWS_DEPS_PREFIX}/lib/${library} is missing: run "
      "scripts/build-windows-deps.sh (or `make windows`)")
  endif()
endforeach()

function(gapkit_windows_interface name)
  cmake_parse_arguments(ARG "" "" "DEFINES;LIBS" ${ARGN})
  add_library(${name} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES ${staging}
    INTERFACE_COMPILE_DEFINITIONS "${ARG_DEFINES}"
    INTERFACE_LINK_LIBRARIES "${ARG_LIBS}")
endfunction()

function(gapkit_windows_static name file)
  cmake_parse_arguments(ARG "" "" "DEFINES;LIBS" ${ARGN})
  add_library(${name} STATIC IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES
    IMPORTED_LOCATION ${GAPKIT_WINDOWS_DEPS_PREFIX}/lib/${file}
    INTERFACE_INCLUDE_DIRECTORIES ${GAPKIT_WINDOWS_DEPS_PREFIX}/include
    INTERFACE_COMPILE_DEFINITIONS "${ARG_DEFINES}"
    INTERFACE_LINK_LIBRARIES "${ARG_LIBS}")
endfunction()

find_package(Threads REQUIRED)

# Windows 10 APIs (inet_pton, SIO_UDP_CONNRESET); no min/max macros from <windows.h>.
add_compile_definitions(_WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)

gapkit_windows_interface(Boost::headers DEFINES BOOST_ALL_NO_LIB LIBS ws2_32 mswsock)
add_library(gapkit_windows_boost STATIC ${CMAKE_CURRENT_LIST_DIR}/windows/boost_sources.cpp)
target_link_libraries(gapkit_windows_boost PUBLIC Boost::headers)
gapkit_windows_interface(Boost::json LIBS gapkit_windows_boost)
gapkit_windows_interface(Boost::url LIBS gapkit_windows_boost)
gapkit_windows_interface(fmt::fmt DEFINES FMT_HEADER_ONLY)
gapkit_windows_interface(spdlog::spdlog DEFINES SPDLOG_HEADER_ONLY SPDLOG_FMT_EXTERNAL LIBS fmt::fmt)
gapkit_windows_interface(tl::expected)
gapkit_windows_interface(CLI11::CLI11)

gapkit_windows_static(OpenSSL::Crypto libcrypto.a LIBS ws2_32 crypt32 advapi32 user32 Threads::Threads)
gapkit_windows_static(OpenSSL::SSL libssl.a LIBS OpenSSL::Crypto)
# SODIUM_STATIC: without it sodium's headers declare every function dllimport.
gapkit_windows_static(PkgConfig::sodium libsodium.a DEFINES SODIUM_STATIC LIBS advapi32)
