// Boost.JSON and Boost.URL compiled from their headers (their documented header-only use: one
// translation unit includes src.hpp), because the Windows build takes only Boost's headers from
// Debian. cmake/GapkitWindowsDependencies.cmake builds this file into gapkit_windows_boost.
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
