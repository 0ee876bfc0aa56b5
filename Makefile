# seccomp-workbench. `make run` and `make test` are all a fresh machine needs.
GO      ?= go
BIN     := bin/seccomp-workbench
# The lean build (-tags lean) is what users start; it hands the TUI, push
# and pull to the full build beside it, so a run does not pay their inits.
FULL    := bin/seccomp-workbench-full
# The runner's shim as a static program of its own (runner/shimexe): both
# builds start it instead of re-executing themselves. It is linked against
# musl: glibc's start probes the CPU (dozens of CPUID instructions, each a
# trap to the hypervisor on a VM) before main, musl's does nothing of the
# kind, and the shim is started on every run. musl-gcc sees only musl's
# headers, so the kernel's (linux/, asm/, asm-generic/) are linked into a
# directory of their own for it.
SHIM    ?= bin/seccomp-workbench-shim
SHIMSRC := $(wildcard runner/shim_*.c) runner/shimexe/main.c
MUSLCC  ?= musl-gcc
KINC    := $(dir $(SHIM)).kernel-include
PKG     := ./cmd/seccomp-workbench
# How long the parser fuzz test runs inside `make test`: a count of
# inputs (about 20 s here), not a duration. Go 1.26's coordinator can fail
# a duration-bounded run with a bare "context deadline exceeded" at its
# end, with no failing input (go.dev/issue/75804, fixed in Go 1.27); a
# count has no deadline to race.
FUZZTIME ?= 200000x

.PHONY: all build shim run test test-unit fuzz lint install deps deps-test bench generate clean

all: build

deps:
	@sh scripts/deps.sh

deps-test:
	@sh scripts/deps.sh test

build: deps
	$(GO) build -o $(FULL) $(PKG)
	$(GO) build -tags lean -o $(BIN) $(PKG)
	@$(MAKE) --no-print-directory shim

# The static shim alone (SHIM=PATH puts it elsewhere: the escape tests).
shim: deps
	@mkdir -p $(KINC)
	@ln -sfn /usr/include/linux $(KINC)/linux && ln -sfn /usr/include/asm-generic $(KINC)/asm-generic && \
		ln -sfn /usr/include/$$($(CC) -print-multiarch)/asm $(KINC)/asm
	$(MUSLCC) -static -O2 -Wall -Wextra -Werror -DSHIM_STANDALONE -isystem $(KINC) -o $(SHIM).tmp $(SHIMSRC) && mv -f $(SHIM).tmp $(SHIM)

run: build
	./$(BIN) $(ARGS)

test: deps-test lint
	$(GO) test -count=1 -timeout 8m ./...
	$(GO) test -race -count=1 -timeout 5m ./runner
	$(GO) test -count=1 -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2000x ./profile

# The Go benchmarks and the side-by-side peers; writes docs/benchmarks.md.
bench: deps
	@sh scripts/deps.sh bench
	bash scripts/bench.sh

lint: deps
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags lean ./cmd/seccomp-workbench

# Both builds and the shim into GOBIN (or GOPATH/bin), as go install
# would place them.
install: build
	@d=$$($(GO) env GOBIN); d=$${d:-$$($(GO) env GOPATH)/bin}; mkdir -p "$$d" && \
	install -m 0755 $(FULL) $(BIN) $(SHIM) "$$d"/ && echo "installed $(notdir $(BIN)), $(notdir $(FULL)) and $(notdir $(SHIM)) in $$d"

generate: deps
	$(GO) generate ./catalog

clean:
	rm -rf bin
