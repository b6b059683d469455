# Installs a CMake package so a game can write (C++ or C, see README.md):
#   find_package(gapkit REQUIRED)
#   target_link_libraries(my_game PRIVATE gapkit::server)   # or gapkit::client
# The libraries, headers and package files form the install component "development"
# (`cmake --install <build> --component development` installs only them).
include(CMakePackageConfigHelpers)

install(EXPORT gapkitTargets NAMESPACE gapkit:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gapkit
  COMPONENT development)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/gapkitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/gapkitConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gapkit)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/gapkitConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/gapkitConfig.cmake ${PROJECT_BINARY_DIR}/gapkitConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindNatsC.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gapkit COMPONENT development)

# The installed package as a game sees it (label package): installs this build's libraries into a
# scratch prefix, then builds and runs tests/package (C++) and tests/package_c (a `project(x C)`).
if(GAPKIT_BUILD_TESTS)
  add_test(NAME package.ConsumersBuildAgainstTheInstall
    COMMAND ${PROJECT_SOURCE_DIR}/tests/package/check_installed_package.sh ${PROJECT_BINARY_DIR}
      ${PROJECT_BINARY_DIR}/package-check)
  set_tests_properties(package.ConsumersBuildAgainstTheInstall PROPERTIES
    LABELS package SKIP_RETURN_CODE 77 TIMEOUT 300)
endif()
