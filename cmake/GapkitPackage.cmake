# Installs a CMake package so a game can write:
#   find_package(gapkit REQUIRED)
#   target_link_libraries(my_game PRIVATE gapkit::bus)
include(CMakePackageConfigHelpers)

install(EXPORT gapkitTargets NAMESPACE gapkit:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gapkit)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/gapkitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/gapkitConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gapkit)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/gapkitConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/gapkitConfig.cmake ${PROJECT_BINARY_DIR}/gapkitConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindNatsC.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gapkit)
