# The two commands: `make run` and `make test`. Both install what is missing first.
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
JOBS      ?= $(shell nproc)
CMAKE_GEN := -G Ninja
DATA      ?= ./cb_data
LISTEN    ?= 127.0.0.1:8080
FUZZ_SECONDS ?= 60

.PHONY: all deps build run test unit-test node-test asan-test bench clean fuzz

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/cocobase serve --listen $(LISTEN) --data $(DATA)

# Everything: unit tests, black-box tests and the official npm SDK against the release build,
# then the same suites against an ASan+UBSan build.
test: deps
	@./scripts/install-deps.sh --with-node-tests
	@./scripts/run-tests.sh

# The libFuzzer targets (clang-15, ASan+UBSan, build-fuzz/), each run for FUZZ_SECONDS on a copy
# of its seed corpus in fuzz/corpus/ (docs/testing.md "Fuzzing").
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/run-fuzz.sh
