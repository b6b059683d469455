# Defines the imported target cnats::nats for nats.c (Debian libnats-dev).
#
# Debian 12's own cnats-config.cmake lists a static library the package does not ship, so
# find_package(cnats) fails there; the header and shared library are found directly instead.
if(TARGET cnats::nats)
  return()
endif()
find_path(NATSC_INCLUDE_DIR nats/nats.h REQUIRED)
find_library(NATSC_LIBRARY NAMES nats REQUIRED)
add_library(cnats::nats SHARED IMPORTED)
set_target_properties(cnats::nats PROPERTIES
  IMPORTED_LOCATION ${NATSC_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${NATSC_INCLUDE_DIR})
