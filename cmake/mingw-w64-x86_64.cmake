# Cross-compiling the client side for 64-bit Windows with Debian's MinGW-w64 (the posix thread
# model, which std::thread and std::mutex need). `make windows` passes it; by hand:
#   cmake -S . -B build-windows -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake
# The dependencies come from scripts/build-windows-deps.sh (libsodium, OpenSSL) and Debian's
# header-only libraries (cmake/GapkitWindowsDependencies.cmake); docs/windows.md has the details.

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(GAPKIT_MINGW_TRIPLE x86_64-w64-mingw32)

set(CMAKE_C_COMPILER ${GAPKIT_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${GAPKIT_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${GAPKIT_MINGW_TRIPLE}-windres)

# Only the MinGW sysroot and the cross-built dependencies: nothing of the Linux /usr may leak in.
set(CMAKE_FIND_ROOT_PATH /usr/${GAPKIT_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# libgcc, libstdc++ and winpthread linked in, so an .exe runs from the build folder (and under
# Wine) without MinGW's DLLs beside it.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
