# NetZero City — the two commands a new machine needs:
#   make play   installs what is missing, builds, and runs the game
#   make test   installs what is missing, builds, and passes every test
# Tools/setup installs Debian packages idempotently; Swift comes with the machine.

SWIFT ?= swift

.PHONY: play test soak setup build build-tests bench fuzz clean install install-files

setup:
	@Tools/setup

build: setup
	$(SWIFT) build -c release --product netzero

# The game window on the default level (netzero play prints why and exits if there is no display).
play: build
	.build/release/netzero play sandbox

# Tests run optimised: the century soak and the determinism runs simulate real years. Two test
# files reach CitySim's internals with @testable import, which needs modules compiled for testing:
# `swift test` does that in any configuration (`--enable-testable-imports` is its default),
# `swift build` only in debug, so the tests are built by a `swift test` that lists them. No
# -enable-testing flag ships in the game's own release build (`make build`).
build-tests: setup
	$(SWIFT) test -c release --list-tests > /dev/null

# Window tests need a display: they run under Xvfb with Mesa's software OpenGL, one suite per
# process (SDL and X11 are not to be driven from two test threads at once).
XVFB = xvfb-run -a -s "-screen 0 1280x720x24"
# The soak measures the process's resident memory, so it runs in a process of its own: beside the
# other suites, which run in parallel, it would count their memory too.
SOAK = centurySoakStaysFiniteAndBounded
test: build-tests
	.build/release/netzero validate
	$(SWIFT) test -c release --skip-build --skip "RenderTests|GameTests|$(SOAK)"
	$(SWIFT) test -c release --skip-build --filter $(SOAK)
	$(XVFB) $(SWIFT) test -c release --skip-build --filter RenderTests
	$(XVFB) $(SWIFT) test -c release --skip-build --filter GameTests

# The century soak in full (make test soaks 20 years): a hundred simulated years of the sandbox stay
# finite, bounded in memory and in entities.
soak: build-tests
	NETZERO_SOAK_YEARS=100 $(SWIFT) test -c release --skip-build --filter $(SOAK)

bench: build
	.build/release/netzero bench ecs
	.build/release/netzero bench sim

# Longer fuzzing than `make test` does (docs/security.md): SEED=… CASES=… make fuzz. A crash
# stops the kind it hit and names the case: rerun it with `netzero fuzz KIND --seed S --from N --cases N+1`.
SEED ?= 1
CASES ?= 5000
fuzz: build
	for kind in save level lua; do .build/release/netzero fuzz $$kind --seed $(SEED) --cases $(CASES) | tail -1; done

# Installed like a desktop game (freedesktop conventions): `make install PREFIX=~/.local` or
# `sudo make install` (PREFIX=/usr/local); DESTDIR stages a package. The game finds its
# Resources and Levels in PREFIX/share/netzero, relative to PREFIX/bin/netzero.
PREFIX ?= /usr/local
DESTDIR ?=
BIN ?= .build/release/netzero
APP_ID = io.github.netzerocity.NetZeroCity
install: build
	$(MAKE) install-files
install-files:
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/netzero" "$(DESTDIR)$(PREFIX)/share/applications" \
		"$(DESTDIR)$(PREFIX)/share/metainfo" "$(DESTDIR)$(PREFIX)/share/icons/hicolor/scalable/apps"
	install -m 755 "$(BIN)" "$(DESTDIR)$(PREFIX)/bin/netzero"
	rm -rf "$(DESTDIR)$(PREFIX)/share/netzero/Resources" "$(DESTDIR)$(PREFIX)/share/netzero/Levels"
	cp -R Resources Levels "$(DESTDIR)$(PREFIX)/share/netzero/"
	install -m 644 Tools/install/$(APP_ID).desktop "$(DESTDIR)$(PREFIX)/share/applications/"
	install -m 644 Tools/install/$(APP_ID).metainfo.xml "$(DESTDIR)$(PREFIX)/share/metainfo/"
	install -m 644 Tools/install/icon.svg "$(DESTDIR)$(PREFIX)/share/icons/hicolor/scalable/apps/$(APP_ID).svg"
	for size in 64 128 256; do \
		install -d "$(DESTDIR)$(PREFIX)/share/icons/hicolor/$${size}x$${size}/apps" && \
		install -m 644 Tools/install/icon-$$size.png "$(DESTDIR)$(PREFIX)/share/icons/hicolor/$${size}x$${size}/apps/$(APP_ID).png"; \
	done

clean:
	rm -rf .build
