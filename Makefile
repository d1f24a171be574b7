# conform — make targets. `make test` is what CI runs (.ci/run).

GO       ?= go
FUZZTIME ?= 60s
# Packages with goroutines of their own run under the race detector.
RACE_PKGS := ./impl/server/... ./impl/client/... ./internal/... ./cmd/...
PKGS      := $(shell $(GO) list ./... 2>/dev/null)

.PHONY: test vet unit race bench bench-peers fuzz fuzz-one fuzz-build-check conform serve live clean

test: vet unit race

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed on:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

unit:
	$(GO) test -count=1 $(filter-out $(shell $(GO) list $(RACE_PKGS) 2>/dev/null),$(PKGS))

race:
	$(GO) test -count=1 -race $(RACE_PKGS)

# Parser, server and client benchmarks, each against net/http in the same run.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./impl/...

# impl/server against net/http and fasthttp in one run, loopback and in-memory
# (impl/server/peerbench is a module of its own: the main one does not need fasthttp).
bench-peers:
	cd impl/server/peerbench && $(GO) test -run '^$$' -bench . -benchmem -benchtime 2s -count 3

# Every fuzz target in turn for FUZZTIME each (2 cores: -parallel=2).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) -parallel=2 $$pkg; \
	  done; \
	done

# One target: make fuzz-one TARGET=FuzzSplit [FUZZTIME=10m]
fuzz-one:
	@test -n "$(TARGET)" || { echo "usage: make fuzz-one TARGET=FuzzName [FUZZTIME=60s]"; exit 2; }
	@pkg=$$(for p in $$($(GO) list ./...); do $(GO) test -list '^$(TARGET)$$' $$p | grep -qx '$(TARGET)' && echo $$p; done | head -1); \
	test -n "$$pkg" || { echo "no fuzz target $(TARGET)"; exit 2; }; \
	$(GO) test -run '^$$' -fuzz '^$(TARGET)$$' -fuzztime $(FUZZTIME) -parallel=2 $$pkg

# Compiles every target .clusterfuzzlite/build.sh builds as its libFuzzer build
# does (go-118-fuzz-build, from the module proxy), short of the clang link.
fuzz-build-check:
	scripts/clusterfuzzlite-check.sh

# The README's first command: the suite against the embedded reference server.
conform:
	$(GO) run ./cmd/conform run

# conform against real nginx and Node.js (scripts/live-ci.sh): installs nginx and chromium
# from Debian's packages when missing (needs root then); writes reports/out/live/.
live:
	scripts/live-ci.sh

clean:
	rm -rf reports/out
