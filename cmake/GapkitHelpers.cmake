# Helpers that keep every component's CMakeLists.txt short and alike.
#
#   gapkit_add_library(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...] [INTERNAL])
#       Builds gapkit_<name> with alias gapkit::<name>. Public headers live in
#       ${CMAKE_CURRENT_SOURCE_DIR}/include. INTERNAL libraries (service cores, test support)
#       are neither installed nor exported.
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

function(gapkit_add_library name)
  cmake_parse_arguments(ARG "INTERNAL" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  set(target gapkit_${name})
  add_library(${target} ${ARG_SOURCES})
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
