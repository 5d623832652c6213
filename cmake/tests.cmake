# SPDX-License-Identifier: MIT
# Tests are found by name, so adding one is adding a file:
#   tests/unit/<layer>/test_*.c         cmocka, label "unit"
#   tests/integration/test_*.c | *.sh   label "integration"
#   tests/tui/test_*.sh | test_*.c      label "tui"
#   tests/fuzz/fuzz_*.c                 replayed over their seed corpus (label "fuzz-corpus");
#                                       with -DFUZZ=ON also real libFuzzer runs (label "fuzz")
#   tests/bench/bench_*.c               built, run by `make bench` only
set(TL_TEST_ENV
  "TOKENLAB=$<TARGET_FILE:tokenlab>"
  "TOKENLAB_FULL=$<TARGET_FILE:tokenlab-full>"
  "TOKENLAB_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
  "TOKENLAB_VECTORS=${CMAKE_SOURCE_DIR}/tests/vectors"
  "TOKENLAB_BUILD_DIR=${CMAKE_BINARY_DIR}"
  "XDG_STATE_HOME=${CMAKE_BINARY_DIR}/test-state"
  "XDG_DATA_HOME=${CMAKE_BINARY_DIR}/test-data"
  "NO_COLOR=1")

# `lib`: what the tests link (and whose headers they see): tests/unit/<layer>/ links tl_<layer>
# only, so a unit test cannot reach above its layer; integration and tui tests link tl_cli.
function(tl_c_test dir label lib)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/${dir}/test_*.c)
  foreach(t ${tests})
    get_filename_component(n ${t} NAME_WE)
    string(REPLACE "/" "_" d ${dir})
    set(exe ${d}_${n})
    add_executable(${exe} ${t})
    target_link_libraries(${exe} PRIVATE ${lib} PkgConfig::CMOCKA)
    target_include_directories(${exe} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
    add_test(NAME ${d}/${n} COMMAND ${exe} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
    set_tests_properties(${d}/${n} PROPERTIES LABELS ${label} ENVIRONMENT "${TL_TEST_ENV}" TIMEOUT 300)
  endforeach()
endfunction()

function(tl_sh_test dir label)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/${dir}/test_*.sh)
  foreach(t ${tests})
    get_filename_component(n ${t} NAME_WE)
    # memcheck cannot run a sanitized binary: a sanitizer build does not register the valgrind
    # tests at all (rather than registering them to skip, which `make test` refuses)
    if(SANITIZE AND n MATCHES "^test_valgrind")
      continue()
    endif()
    add_test(NAME ${dir}/${n} COMMAND bash ${t} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
    set_tests_properties(${dir}/${n} PROPERTIES LABELS ${label} ENVIRONMENT "${TL_TEST_ENV}"
      TIMEOUT 600 SKIP_RETURN_CODE 77)
  endforeach()
endfunction()

file(GLOB unit_dirs LIST_DIRECTORIES true ${CMAKE_SOURCE_DIR}/tests/unit/*)
foreach(ud ${unit_dirs})
  if(IS_DIRECTORY ${ud})
    get_filename_component(layer ${ud} NAME)
    tl_c_test(unit/${layer} unit tl_${layer})
  endif()
endforeach()
tl_c_test(integration integration tl_cli)
tl_sh_test(integration integration)
tl_c_test(tui tui tl_cli)
tl_sh_test(tui tui)

# Fuzz targets: always built with a small replay driver so their corpora are regression tests.
# With FUZZ=ON each is also a libFuzzer binary run for TL_FUZZ_SECONDS (`make test-fuzz`); the target
# `fuzzers` builds just those, so `make test-fuzz` need not build the whole tree with clang.
# A dictionary tests/fuzz/fuzz_NAME.dict is passed when present.
if(FUZZ)
  add_custom_target(fuzzers)
  set(TL_FUZZ_SECONDS 8 CACHE STRING "seconds per fuzz target in ctest")
endif()
file(GLOB fuzzers CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
foreach(f ${fuzzers})
  get_filename_component(n ${f} NAME_WE)
  add_executable(${n}_replay ${f} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay_main.c)
  target_link_libraries(${n}_replay PRIVATE tl_cli)
  add_test(NAME fuzz-corpus/${n} COMMAND ${n}_replay ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${n}
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(fuzz-corpus/${n} PROPERTIES LABELS fuzz-corpus ENVIRONMENT "${TL_TEST_ENV}"
    TIMEOUT 300)
  if(FUZZ)
    add_executable(${n} ${f})
    target_compile_options(${n} PRIVATE -fsanitize=fuzzer)
    target_link_options(${n} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${n} PRIVATE tl_cli)
    add_dependencies(fuzzers ${n})
    set(dict_args "")
    if(EXISTS ${CMAKE_SOURCE_DIR}/tests/fuzz/${n}.dict)
      set(dict_args -dict=${CMAKE_SOURCE_DIR}/tests/fuzz/${n}.dict)
    endif()
    file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz-work/${n})
    # New inputs go to fuzz-work/NAME (the seed corpus stays read-only); crashes are written as
    # fuzz-work/crash-* and must be copied into tests/fuzz/corpus/NAME/ as regression tests.
    add_test(NAME fuzz/${n} COMMAND ${n} -max_total_time=${TL_FUZZ_SECONDS} -max_len=65536
      -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 ${dict_args}
      ${CMAKE_BINARY_DIR}/fuzz-work/${n} ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${n}
      WORKING_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz-work)
    math(EXPR fuzz_timeout "${TL_FUZZ_SECONDS} * 3 + 60")
    set_tests_properties(fuzz/${n} PROPERTIES LABELS fuzz ENVIRONMENT "${TL_TEST_ENV}"
      TIMEOUT ${fuzz_timeout})
  endif()
endforeach()

# The layers are enforced by the build (CMakeLists.txt, tl_layer_includes): each file in
# tests/layers/ includes a header from above its layer and must fail to compile with that layer's
# include folder, naming the header it could not find. The file's name says the layer and the
# header: <layer>_includes_<dir>_<module>.c, e.g. jose_includes_server_server.c.
file(GLOB layer_probes CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/layers/*_includes_*.c)
foreach(p ${layer_probes})
  get_filename_component(n ${p} NAME_WE)
  string(REGEX MATCH "^([a-z_]+)_includes_([a-z]+)_([a-z0-9_]+)$" _m ${n})
  set(layer ${CMAKE_MATCH_1})
  set(hdr "${CMAKE_MATCH_2}/${CMAKE_MATCH_3}\\.h")
  add_library(probe_${n} OBJECT EXCLUDE_FROM_ALL ${p})
  target_include_directories(probe_${n} PRIVATE ${TL_LAYER_INC_tl_${layer}})
  target_link_libraries(probe_${n} PRIVATE PkgConfig::OPENSSL PkgConfig::JANSSON)
  add_test(NAME layers/${n} COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target probe_${n})
  # gcc: "server/server.h: No such file or directory"; clang: "'server/server.h' file not found"
  set_tests_properties(layers/${n} PROPERTIES LABELS unit
    PASS_REGULAR_EXPRESSION "${hdr}'?:? ?(No such file|file not found)")
endforeach()

# Memcheck runs are slow: label them so that they can be left out (`ctest -LE valgrind`); a
# sanitizer build has none (above).
if(NOT SANITIZE)
foreach(kind integration tui)
  file(GLOB valgrind_tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/${kind}/test_valgrind*.sh)
  foreach(t ${valgrind_tests})
    get_filename_component(n ${t} NAME_WE)
    set_tests_properties(${kind}/${n} PROPERTIES LABELS "${kind};valgrind")
  endforeach()
endforeach()
endif()

file(GLOB benches CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/bench/bench_*.c)
foreach(b ${benches})
  get_filename_component(n ${b} NAME_WE)
  add_executable(${n} ${b})
  target_link_libraries(${n} PRIVATE tl_cli)
endforeach()
