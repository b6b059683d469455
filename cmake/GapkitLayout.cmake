# The tree's layout rules (issue 12), checked at configure time so that breaking one fails the
# first cmake run rather than a review:
#   1. <component>/src/ holds the component's code and its tests beside it: tests are *_test.*,
#      their helpers *_test_support.*; benchmarks live in <component>/bench/, fuzzers in fuzz/.
#   2. No production target (library or executable) compiles a *_test.* or *_test_support.* file,
#      nor links gapkit::testing, GoogleTest or Google Benchmark.
#   3. A file under src/ that only test targets compile, or that includes gtest, gmock, Google
#      Benchmark or gapkit/testing/ headers, is named *_test.* or *_test_support.*.
# Test targets are named *_test, *_benchmark or *_fuzzer (gapkit_add_test, gapkit_add_benchmark,
# gapkit_add_fuzzer, tests/*); testing/ is itself test support (gapkit::testing) and exempt.
#
#   gapkit_check_layout()   call once, after every add_subdirectory()

set(GAPKIT_TEST_FILE_REGEX "_test(_support)?\\.[a-z]+$")
set(GAPKIT_TEST_LINK_REGEX "^(gapkit::testing|gapkit_testing|GTest::|gtest|gmock|benchmark::)")
set(GAPKIT_TEST_INCLUDE_REGEX "#[ \t]*include[ \t]*[<\"](gtest/|gmock/|benchmark/|gapkit/testing/)")

function(gapkit_collect_targets directory out_var)
  get_property(targets DIRECTORY ${directory} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirectories DIRECTORY ${directory} PROPERTY SUBDIRECTORIES)
  foreach(subdirectory IN LISTS subdirectories)
    # Sources from outside the tree (the Windows build's GoogleTest) follow their own rules.
    cmake_path(IS_PREFIX PROJECT_SOURCE_DIR "${subdirectory}" inside_tree)
    if(NOT inside_tree)
      continue()
    endif()
    gapkit_collect_targets(${subdirectory} nested)
    list(APPEND targets ${nested})
  endforeach()
  set(${out_var} ${targets} PARENT_SCOPE)
endfunction()

function(gapkit_is_test_target target out_var)
  if(target MATCHES "(_test|_test_support|_benchmark|_fuzzer)$" OR target STREQUAL "gapkit_testing")
    set(${out_var} TRUE PARENT_SCOPE)
  else()
    set(${out_var} FALSE PARENT_SCOPE)
  endif()
endfunction()

# Absolute paths of a target's source files (generator expressions skipped).
function(gapkit_target_sources target out_var)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  set(paths)
  foreach(source IN LISTS sources)
    if(source AND NOT source MATCHES "^\\$<")
      get_filename_component(path ${source} ABSOLUTE BASE_DIR ${source_dir})
      list(APPEND paths ${path})
    endif()
  endforeach()
  set(${out_var} ${paths} PARENT_SCOPE)
endfunction()

# Rule 2 for one production target; appends to `problems` in the caller.
function(gapkit_check_production_target target sources)
  set(found ${problems})
  foreach(path IN LISTS sources)
    if(path MATCHES "${GAPKIT_TEST_FILE_REGEX}" OR path MATCHES "benchmark")
      list(APPEND found "${target} compiles test code ${path}")
    endif()
  endforeach()
  get_target_property(links ${target} LINK_LIBRARIES)
  foreach(link IN LISTS links)
    if(link MATCHES "${GAPKIT_TEST_LINK_REGEX}")
      list(APPEND found "${target} links ${link}")
    endif()
  endforeach()
  set(problems ${found} PARENT_SCOPE)
endfunction()

# Rules 1 and 3 on the files under every src/ folder outside testing/.
function(gapkit_check_src_files test_only_sources)
  set(found ${problems})
  file(GLOB_RECURSE files LIST_DIRECTORIES false
    ${PROJECT_SOURCE_DIR}/libs/* ${PROJECT_SOURCE_DIR}/services/* ${PROJECT_SOURCE_DIR}/tools/*
    ${PROJECT_SOURCE_DIR}/examples/*)
  list(FILTER files INCLUDE REGEX "/src/[^/]*\\.(c|h|cpp|hpp)$")
  foreach(path IN LISTS files)
    if(path MATCHES "${GAPKIT_TEST_FILE_REGEX}")
      continue()
    endif()
    file(RELATIVE_PATH name ${PROJECT_SOURCE_DIR} ${path})
    if(path MATCHES "benchmark")
      list(APPEND found "${name}: a benchmark under src/ (move it to the component's bench/)")
    elseif(path IN_LIST test_only_sources)
      list(APPEND found "${name}: only test targets compile it (name it *_test_support.*)")
    else()
      file(STRINGS ${path} test_includes REGEX "${GAPKIT_TEST_INCLUDE_REGEX}")
      if(test_includes)
        list(APPEND found "${name}: includes test headers (name it *_test_support.*)")
      endif()
    endif()
  endforeach()
  set(problems ${found} PARENT_SCOPE)
endfunction()

function(gapkit_check_layout)
  gapkit_collect_targets(${PROJECT_SOURCE_DIR} targets)
  set(problems)
  set(production_sources)
  set(test_sources)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "UTILITY" OR type STREQUAL "INTERFACE_LIBRARY")
      continue()
    endif()
    gapkit_target_sources(${target} sources)
    gapkit_is_test_target(${target} is_test)
    if(is_test)
      list(APPEND test_sources ${sources})
    else()
      list(APPEND production_sources ${sources})
      gapkit_check_production_target(${target} "${sources}")
    endif()
  endforeach()
  list(REMOVE_ITEM test_sources ${production_sources})
  gapkit_check_src_files("${test_sources}")
  if(problems)
    list(JOIN problems "\n  " report)
    message(FATAL_ERROR "Layout rules broken (cmake/GapkitLayout.cmake):\n  ${report}")
  endif()
endfunction()
