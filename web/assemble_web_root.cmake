# Writes the local stack's web root (see web/CMakeLists.txt):
#   cmake -DSOURCE_DIR=<repository> -DOUTPUT_DIR=<build>/web-root -P web/assemble_web_root.cmake
# Without web/gapkit/node_modules the root is written without vendor/ and a warning says how to
# install it: a C++ build must not need npm, but the pages that import gapkit.js then fail.
foreach(var SOURCE_DIR OUTPUT_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "assemble_web_root.cmake needs -D${var}=...")
  endif()
endforeach()

# A fresh folder each time, so a file removed from the sources leaves the root too.
file(REMOVE_RECURSE ${OUTPUT_DIR})
file(MAKE_DIRECTORY ${OUTPUT_DIR}/gapkit ${OUTPUT_DIR}/play)

# What a page is made of, top level only: a folder's tests and CMakeLists.txt stay out.
function(copy_pages from to)
  set(patterns)
  foreach(ext html js mjs css png svg ico)
    list(APPEND patterns ${from}/*.${ext})
  endforeach()
  file(GLOB files ${patterns})
  if(files)
    file(COPY ${files} DESTINATION ${to})
  endif()
endfunction()

copy_pages(${SOURCE_DIR}/services/httpd/web ${OUTPUT_DIR})
file(COPY ${SOURCE_DIR}/web/gapkit/gapkit.js DESTINATION ${OUTPUT_DIR}/gapkit)
copy_pages(${SOURCE_DIR}/examples/spaceships/web ${OUTPUT_DIR}/play)

# libsodium-wrappers' ES module imports its core by the bare name "libsodium", which a browser
# resolves only through an import map; the copy imports the file beside it instead, so a page
# needs nothing but `import ... from "/gapkit/gapkit.js"`.
set(modules ${SOURCE_DIR}/web/gapkit/node_modules)
set(wrappers ${modules}/libsodium-wrappers/dist/modules-esm/libsodium-wrappers.mjs)
set(core ${modules}/libsodium/dist/modules-esm/libsodium.mjs)
if(NOT EXISTS ${wrappers} OR NOT EXISTS ${core})
  message(WARNING "web/gapkit/node_modules is missing: run 'npm ci --prefix web/gapkit' (make deps does); "
                  "the web root has no /gapkit/vendor/ and gapkit.js cannot load")
  return()
endif()
file(READ ${wrappers} text)
string(REPLACE "from\"libsodium\"" "from\"./libsodium.mjs\"" rewritten "${text}")
if(rewritten STREQUAL text)
  message(FATAL_ERROR "${wrappers} no longer imports from\"libsodium\": check the rewrite in ${CMAKE_CURRENT_LIST_FILE}")
endif()
file(MAKE_DIRECTORY ${OUTPUT_DIR}/gapkit/vendor)
file(WRITE ${OUTPUT_DIR}/gapkit/vendor/libsodium-wrappers.mjs "${rewritten}")
file(COPY ${core} DESTINATION ${OUTPUT_DIR}/gapkit/vendor)
# The ISC licence asks that its notice travels with the code.
file(COPY_FILE ${modules}/libsodium-wrappers/LICENSE ${OUTPUT_DIR}/gapkit/vendor/LICENSE-libsodium-wrappers)
file(COPY_FILE ${modules}/libsodium/LICENSE ${OUTPUT_DIR}/gapkit/vendor/LICENSE-libsodium)
