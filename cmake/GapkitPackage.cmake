# Installs a CMake package so a game can write (C++ or C, see README.md):
#   find_package(gapkit REQUIRED)
#   target_link_libraries(my_game PRIVATE gapkit::server)   # or gapkit::client
# The libraries, headers and package files form the install component "development"
# (`cmake --install <build> --component development` installs only them).
include(CMakePackageConfigHelpers)

install(EXPORT gapkitTargets NAMESPACE gapkit:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gapkit
  COMPONENT development)
# The installed kind, for gapkitConfig.cmake's gapkit_SHARED_LIBS (ON or OFF, never empty).
if(BUILD_SHARED_LIBS)
  set(GAPKIT_PACKAGE_SHARED_LIBS ON)
else()
  set(GAPKIT_PACKAGE_SHARED_LIBS OFF)
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/gapkitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/gapkitConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gapkit)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/gapkitConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/gapkitConfig.cmake ${PROJECT_BINARY_DIR}/gapkitConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindNatsC.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gapkit COMPONENT development)

# A test of the installed package: `script <build dir> <scratch dir>`, exit 77 meaning skipped.
function(gapkit_add_package_test name script scratch labels timeout_seconds)
  add_test(NAME ${name} COMMAND ${PROJECT_SOURCE_DIR}/${script} ${PROJECT_BINARY_DIR}
    ${PROJECT_BINARY_DIR}/${scratch})
  set_tests_properties(${name} PROPERTIES
    LABELS "${labels}" SKIP_RETURN_CODE 77 TIMEOUT ${timeout_seconds})
endfunction()

if(GAPKIT_BUILD_TESTS)
  # The installed package as a game sees it (label package): installs this build's libraries into a
  # scratch prefix, then builds and runs tests/package (C++) and tests/package_c (a `project(x C)`).
  # Its Boost checks are the static kind's (a shared install asks for no Boost).
  if(NOT BUILD_SHARED_LIBS)
    gapkit_add_package_test(package.ConsumersBuildAgainstTheInstall
      tests/package/check_installed_package.sh package-check package 300)
  endif()
  # The shared kind (tests/package_shared/check_shared_package.sh): a BUILD_SHARED_LIBS=ON build of
  # the libraries in package-shared/tree/build, its exports, and the C and C++ games linked to it.
  # Seconds when ccache holds this build's objects; the timeout covers a build without them. Linux
  # only, as the shared kind (cmake/GapkitHelpers.cmake).
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    gapkit_add_package_test(package.SharedLibrariesExportOnlyTheApi
      tests/package_shared/check_shared_package.sh package-shared package 1200)
  endif()
  # templates/game as a developer starts from it (tests/template/check_template.sh): built against
  # the install, played --direct and through a local stack of this build's programs.
  if(TARGET gapkit-edgegap-sim AND TARGET gapkit-matchmaker AND TARGET gapkit-httpd)
    gapkit_add_package_test(package.TemplateGamePlaysThroughTheLocalStack
      tests/template/check_template.sh template-check "package;template" 300)
  endif()
endif()
