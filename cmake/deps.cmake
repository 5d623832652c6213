# SPDX-License-Identifier: MIT
# Find every system library through pkg-config, naming the Debian package when one is missing.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: install it (Debian: apt-get install pkg-config), or run `make deps`")
endif()
find_package(Threads REQUIRED)

function(tl_need var modules debpkg)
  pkg_check_modules(${var} IMPORTED_TARGET ${modules})
  if(NOT ${var}_FOUND)
    message(FATAL_ERROR "missing library: ${modules} — install the Debian package `${debpkg}` "
                        "(or run `make deps`, which installs everything tokenlab needs)")
  endif()
endfunction()

tl_need(OPENSSL "libcrypto>=3.0" libssl-dev)
tl_need(JANSSON "jansson>=2.13" libjansson-dev)
tl_need(CURL "libcurl>=7.80" libcurl4-openssl-dev)
tl_need(MHD "libmicrohttpd>=0.9.70" libmicrohttpd-dev)
tl_need(NCURSESW "ncursesw;panelw;menuw;formw" libncurses-dev)
tl_need(MD4C "md4c>=0.4" libmd4c-dev)
tl_need(SQLITE "sqlite3>=3.31" libsqlite3-dev)
if(TOKENLAB_TESTS)
  tl_need(CMOCKA "cmocka>=1.1" libcmocka-dev)
endif()
