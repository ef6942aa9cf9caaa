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

# Until the game window lands, `play` runs the headless main job.
play: build
	.build/release/netzero version

build-tests: setup
	$(SWIFT) build --build-tests

test: build-tests
	$(SWIFT) test --skip-build

bench: build
	.build/release/netzero bench ecs

clean:
	rm -rf .build
