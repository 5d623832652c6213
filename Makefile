# A thin layer over CMake (as neovim does). `make run` and `make test` are all a newcomer needs.
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
BUILD_MUTATION ?= build-mutation
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX     ?= /usr/local
CMAKE_ARGS ?=
CTEST_ARGS ?=
FUZZ_SECONDS ?= 60

.PHONY: all deps deps-test build run test test-fast test-asan test-fuzz test-mutation fuzz bench bench-class install package dist format lint clean

all: build

deps:
	@sh scripts/deps.sh build

deps-test:
	@sh scripts/deps.sh test

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/tokenlab $(ARGS)

# Everything CI runs: unit, integration, TUI and corpus-replay tests; then the whole suite again
# under ASan + UBSan; then each libFuzzer target for a few seconds. Every ctest call goes through
# scripts/ctest-strict.sh: an empty test set or a single skipped test fails the run.
test: deps-test
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOKENLAB_WERROR=ON $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS)
	sh scripts/ctest-strict.sh $(BUILD) --output-on-failure -j $(JOBS) $(CTEST_ARGS)
	$(MAKE) test-asan
	$(MAKE) test-fuzz

# The quick loop while developing: one build, the whole suite, no sanitizers.
test-fast: deps-test
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS)
	sh scripts/ctest-strict.sh $(BUILD) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

test-asan: deps-test
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON -DTOKENLAB_WERROR=ON $(CMAKE_ARGS)
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  sh scripts/ctest-strict.sh $(BUILD_ASAN) --output-on-failure -j $(JOBS) -LE 'bench|slow|valgrind' $(CTEST_ARGS)

test-fuzz: deps-test
	cmake -S . -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON -DFUZZ=ON -DTL_FUZZ_SECONDS=8
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzzers
	sh scripts/ctest-strict.sh $(BUILD_FUZZ) --output-on-failure -j $(JOBS) -L '^fuzz$$'

# One-line mutations of the rules (tests/mutation/mutations.txt), each applied to a copy of the tree
# in $(BUILD_MUTATION)/tree and run against its tests; fails if one survives or no longer applies.
# Slow, not part of `make test`; MUTATIONS=name,name runs only those. See docs/testing.md.
test-mutation: deps-test
	python3 tests/mutation/run.py --build $(BUILD_MUTATION) --jobs $(JOBS) $(if $(MUTATIONS),--only $(MUTATIONS))

# Longer fuzzing by hand: FUZZ_SECONDS per target. Crashes land in $(BUILD_FUZZ)/fuzz-work/.
fuzz: deps-test
	cmake -S . -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON -DFUZZ=ON -DTL_FUZZ_SECONDS=$(FUZZ_SECONDS)
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzzers
	sh scripts/ctest-strict.sh $(BUILD_FUZZ) --output-on-failure -j $(JOBS) -L '^fuzz$$'

bench: deps
	@sh scripts/deps.sh bench
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS)
	bash tests/bench/run.sh $(BUILD)

# The class-server simulator (issue 6): ramps the class size, reports the largest class with
# p99 < 100 ms and no errors. CLASS_RAMP / CLASS_SECONDS / CLASS_ALG override the defaults.
CLASS_RAMP    ?= 250,500,1000,1500,2000
CLASS_SECONDS ?= 20
CLASS_ALG     ?= RS256
bench-class: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS) --target bench_class
	$(BUILD)/bench_class --ramp $(CLASS_RAMP) --seconds $(CLASS_SECONDS) --alg $(CLASS_ALG)

# `make install` (PREFIX=/usr/local), staged with `make install DESTDIR=/tmp/root`: binaries, the
# course, man pages, completions and the licence where the FHS puts them (docs/packaging.md).
install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

# A Debian package (CPack; dependencies from dpkg-shlibdeps) in $(BUILD)/: tokenlab_VERSION_ARCH.deb.
package: build
	cd $(BUILD) && cpack -G DEB

# The source tarball of HEAD, reproducible (same commit, same bytes): tokenlab-VERSION.tar.gz.
dist:
	@sh scripts/dist.sh .

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) $(BUILD_MUTATION)
