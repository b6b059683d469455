# Helpers that keep every component's CMakeLists.txt short and alike.
#
#   gapkit_add_library(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...] [INTERNAL | API])
#       Builds gapkit_<name> with alias gapkit::<name>. Public headers live in
#       ${CMAKE_CURRENT_SOURCE_DIR}/include. INTERNAL libraries (service cores, test support)
#       are neither installed nor exported. The kind of library:
#         BUILD_SHARED_LIBS OFF (default): every library is a static archive (PIC); all but the
#           INTERNAL ones are installed.
#         BUILD_SHARED_LIBS ON: the API libraries (what a game links and whose headers it includes:
#           common, netcode, client, server) are shared, libgapkit_<name>.so.<major>.<minor>, and
#           export only gapkit's C API and the API's C++ namespaces (cmake/gapkit_api.map). Every
#           other library stays a static archive linked, hidden, into the shared ones that use it,
#           and is not installed. Asio, Beast and Boost.JSON code thus stays inside client and
#           server, never passed between them, and common and netcode, which use none of it, are
#           shared libraries of their own rather than copies in both: a process that loads client
#           and server (a listen server, a binding) has one log sink and one gapkit::common.
#   gapkit_add_executable(<target> SOURCES ... [DEPS ...])
#   gapkit_add_test(<component> SOURCES ... [DEPS ...] [LABELS ...])
#       Builds gapkit_<component>_test and registers each GoogleTest case with CTest.
#   gapkit_add_benchmark(<component> SOURCES ... [DEPS ...])
#       Builds gapkit_<component>_benchmark from <component>/bench/ when GAPKIT_BUILD_BENCHMARKS
#       is on; needs GAPKIT_BUILD_TESTS too (benchmarks use gapkit::testing).
#
# Where things go (cmake/GapkitLayout.cmake checks it): a component's code in src/, its tests
# beside it as *_test.* with their helpers as *_test_support.*, benchmarks in bench/, fuzzers in
# fuzz/.
#   gapkit_add_fuzzer(<target> SOURCES ... [DEPS ...])
#       Builds a libFuzzer program when GAPKIT_FUZZ is on (clang only); every gapkit target is
#       then instrumented for coverage, ASan and UBSan.

# -Wmismatched-new-delete: GCC 12 false positive on Asio coroutine frames (operator new/delete overloads).
set(GAPKIT_WARNINGS -Wall -Wextra -Werror -Wno-missing-field-initializers
  $<$<COMPILE_LANG_AND_ID:CXX,GNU>:-Wno-mismatched-new-delete>)

function(gapkit_apply_common_options target)
  target_compile_options(${target} PRIVATE ${GAPKIT_WARNINGS})
  if(GAPKIT_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(GAPKIT_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

set(GAPKIT_EXPORTED_TARGETS "" CACHE INTERNAL "")

# A shared API library: versioned, finds its sibling gapkit libraries where it is installed, every
# symbol resolved at link time, and only the API exported.
function(gapkit_export_api_only target)
  if(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
    message(FATAL_ERROR "BUILD_SHARED_LIBS=ON builds gapkit's shared libraries on Linux only (an ELF "
      "version script decides their exports); build the static libraries for ${CMAKE_SYSTEM_NAME}")
  endif()
  set(map ${PROJECT_SOURCE_DIR}/cmake/gapkit_api.map)
  # SOVERSION major.minor: any 0.x minor release may change the ABI (gapkitConfigVersion.cmake
  # accepts SameMinorVersion for the same reason).
  # No <target>_EXPORTS definition (the map decides what is exported, not attributes), so the
  # objects compile with the static build's exact command and ccache shares them between kinds.
  set_target_properties(${target} PROPERTIES
    VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
    DEFINE_SYMBOL "" INSTALL_RPATH "$ORIGIN" LINK_DEPENDS ${map})
  target_link_options(${target} PRIVATE "LINKER:--version-script=${map}")
  if(NOT GAPKIT_SANITIZE AND NOT GAPKIT_FUZZ)
    target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  endif()
endfunction()

function(gapkit_add_library name)
  cmake_parse_arguments(ARG "INTERNAL;API" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  set(target gapkit_${name})
  if(BUILD_SHARED_LIBS AND ARG_API)
    add_library(${target} SHARED ${ARG_SOURCES})
    gapkit_export_api_only(${target})
  else()
    add_library(${target} STATIC ${ARG_SOURCES})
    if(BUILD_SHARED_LIBS)
      set(ARG_INTERNAL ON)
    endif()
  endif()
  add_library(gapkit::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME gapkit_${name})
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_include_directories(${target} PUBLIC
      $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  endif()
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  gapkit_apply_common_options(${target})
  if(NOT ARG_INTERNAL)
    install(TARGETS ${target} EXPORT gapkitTargets COMPONENT development
      ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
      LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
      INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/include)
      install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT development)
    endif()
    set(GAPKIT_EXPORTED_TARGETS ${GAPKIT_EXPORTED_TARGETS} ${target} CACHE INTERNAL "")
  endif()
endfunction()

function(gapkit_add_executable target)
  cmake_parse_arguments(ARG "NO_INSTALL" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS})
  gapkit_apply_common_options(${target})
  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${target} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endfunction()

function(gapkit_add_test component)
  if(NOT GAPKIT_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  set(target gapkit_${component}_test)
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  gapkit_apply_common_options(${target})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${target}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 300)
endfunction()

function(gapkit_add_benchmark component)
  if(NOT GAPKIT_BUILD_BENCHMARKS OR NOT GAPKIT_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  set(target gapkit_${component}_benchmark)
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} benchmark::benchmark)
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  gapkit_apply_common_options(${target})
endfunction()

function(gapkit_add_fuzzer target)
  if(NOT GAPKIT_FUZZ)
    return()
  endif()
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "GAPKIT_FUZZ needs clang: -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS})
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  gapkit_apply_common_options(${target})
  target_compile_options(${target} PRIVATE -fsanitize=fuzzer)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
endfunction()
