# SPDX-License-Identifier: MIT
# Installation (FHS layout) and the Debian package (CPack). See docs/packaging.md.
#   bin/tokenlab                          the front binary
#   libexec/tokenlab/tokenlab-full        everything else (found relative to bin/, see src/main.c)
#   share/tokenlab/{lessons,assets}       the course (found relative to bin/, see base/assets.c)
#   share/man/man1, man5                  man pages (cmake/docs.cmake)
#   share/bash-completion/completions, share/zsh/…, share/fish/vendor_completions.d
#   share/doc/tokenlab/copyright          the licence (the name Debian policy wants)

install(FILES ${CMAKE_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME copyright)
install(FILES ${CMAKE_SOURCE_DIR}/docs/licenses.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The version of the tree (scripts/version.sh: a tag, or PROJECT_VERSION+git.N.gHASH).
execute_process(COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/version.sh
  OUTPUT_VARIABLE TL_TREE_VERSION OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE tl_version_rc ERROR_QUIET)
if(NOT tl_version_rc EQUAL 0 OR TL_TREE_VERSION STREQUAL "")
  set(TL_TREE_VERSION ${PROJECT_VERSION})
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tokenlab)
set(CPACK_PACKAGE_VERSION ${TL_TREE_VERSION})
set(CPACK_PACKAGE_CONTACT "tokenlab maintainers <tokenlab@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "learn API authentication (JWT, OAuth 2.0, OpenID Connect) in the terminal")
set(CPACK_PACKAGE_DESCRIPTION
  "tokenlab teaches how API authentication really works: lessons in an ncurses TUI, a CLI to\n decode, verify, mint and crack JWTs, and a mock OAuth 2.0 / OpenID Connect server.")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Dependencies from the shared libraries the binaries link (dpkg-shlibdeps), not a hand-kept list.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
# Only what `install()` names goes in; the tests and benchmarks are never installed.
set(CPACK_SOURCE_GENERATOR "")
include(CPack)
