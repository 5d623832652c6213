# SPDX-License-Identifier: MIT
# Man pages, generated at build time from the program's own --help text and lessons/README.md
# (cmake/man.sh), so they never disagree with the binary. Needs help2man and perl (Debian:
# help2man); without help2man the build goes on without man pages, and says so.
find_program(HELP2MAN help2man)
find_program(PERL perl)
execute_process(COMMAND git -C ${CMAKE_SOURCE_DIR} log -1 --format=%cs
  OUTPUT_VARIABLE TL_MAN_DATE OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT TL_MAN_DATE)
  string(TIMESTAMP TL_MAN_DATE "%Y-%m-%d" UTC) # honours SOURCE_DATE_EPOCH
endif()
set(TL_MAN_DIR ${CMAKE_BINARY_DIR}/man)
if(HELP2MAN AND PERL)
  add_custom_command(OUTPUT ${TL_MAN_DIR}/stamp
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${TL_MAN_DIR}
    COMMAND sh ${CMAKE_SOURCE_DIR}/cmake/man.sh pages $<TARGET_FILE:tokenlab-full> ${TL_MAN_DIR}
            ${PROJECT_VERSION} ${TL_MAN_DATE} ${CMAKE_SOURCE_DIR}
    COMMAND ${CMAKE_COMMAND} -E touch ${TL_MAN_DIR}/stamp
    DEPENDS tokenlab-full ${CMAKE_SOURCE_DIR}/cmake/man.sh ${CMAKE_SOURCE_DIR}/lessons/README.md
    COMMENT "Man pages from --help (help2man) and lessons/README.md" VERBATIM)
  add_custom_target(man ALL DEPENDS ${TL_MAN_DIR}/stamp)
  install(DIRECTORY ${TL_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 FILES_MATCHING PATTERN "*.1")
  install(DIRECTORY ${TL_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man5 FILES_MATCHING PATTERN "*.5")
else()
  message(WARNING "help2man not found: no man pages will be built or installed "
                  "(Debian: apt-get install help2man, or run `make deps`)")
endif()

# Shell completions: `tokenlab completions bash|zsh|fish` prints them (src/cli/complete.c); the
# files installed are that output, so the package and the binary never disagree.
set(TL_COMP_DIR ${CMAKE_BINARY_DIR}/completions)
add_custom_command(OUTPUT ${TL_COMP_DIR}/tokenlab ${TL_COMP_DIR}/_tokenlab ${TL_COMP_DIR}/tokenlab.fish
  COMMAND ${CMAKE_COMMAND} -E make_directory ${TL_COMP_DIR}
  COMMAND sh -c "\"$1\" completions bash > \"$2/tokenlab\" && \"$1\" completions zsh > \"$2/_tokenlab\" && \"$1\" completions fish > \"$2/tokenlab.fish\""
          sh $<TARGET_FILE:tokenlab-full> ${TL_COMP_DIR}
  DEPENDS tokenlab-full
  COMMENT "Shell completions (tokenlab completions bash|zsh|fish)" VERBATIM)
add_custom_target(completions ALL DEPENDS ${TL_COMP_DIR}/tokenlab ${TL_COMP_DIR}/_tokenlab
  ${TL_COMP_DIR}/tokenlab.fish)
install(FILES ${TL_COMP_DIR}/tokenlab DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${TL_COMP_DIR}/tokenlab.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
# zsh: Debian's zsh looks in /usr/share/zsh/vendor-completions for packaged files and in
# /usr/local/share/zsh/site-functions for local ones. Decided when installing (the .deb installs
# with prefix /usr even from a tree configured for /usr/local).
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(tl_zsh_dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions\")
  else()
    set(tl_zsh_dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/site-functions\")
  endif()
  file(INSTALL DESTINATION \"\${tl_zsh_dir}\" TYPE FILE FILES \"${TL_COMP_DIR}/_tokenlab\")")
