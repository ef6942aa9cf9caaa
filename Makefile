# NetZero City — the two commands a new machine needs:
#   make play   installs what is missing, builds, and runs the game
#   make test   installs what is missing, builds, and passes every test
# Tools/setup installs Debian packages idempotently; Swift comes with the machine.

SWIFT ?= swift

.PHONY: play test setup build build-tests bench clean

setup:
	@Tools/setup

build: setup
	$(SWIFT) build -c release --product netzero

# Until the game window lands, `play` runs the default level headless for ten years.
play: build
	.build/release/netzero run sandbox --years 10 --out out/sandbox

# Tests run optimised: the century soak and the determinism runs simulate real years.
build-tests: setup
	$(SWIFT) build -c release --build-tests

test: build-tests
	$(SWIFT) test -c release --skip-build

bench: build
	.build/release/netzero bench ecs
	.build/release/netzero bench sim

clean:
	rm -rf .build
