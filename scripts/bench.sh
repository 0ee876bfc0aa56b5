#!/usr/bin/env bash
# make bench: the Go benchmarks and the side-by-side peers (bwrap with the
# exported BPF, strace -f pinned and unpinned, a C notify supervisor, direct
# exec), min/median/max over alternating runs, written to docs/benchmarks.md
# from docs/benchmarks.md.in (whose hand-written text is kept).
# BENCH_RUNS (default 5) is the number of alternating runs of each peer
# group; BENCH_OUT the file written. Each section is one function below.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${BENCH_RUNS:-5}
KEY_ROUNDS=${BENCH_KEY_ROUNDS:-7}
OUT=${BENCH_OUT:-docs/benchmarks.md}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; git worktree prune 2>/dev/null || true' EXIT
GO=${GO:-go}
SWB=$TMP/seccomp-workbench
# What make build writes (the lean build, the full one, the static shim),
# measured from a copy of its own.
${MAKE:-make} -s build GO="$GO" >/dev/null
cp bin/seccomp-workbench bin/seccomp-workbench-full bin/seccomp-workbench-shim "$TMP"/
gcc -O2 -Wall -o "$TMP/notify_peer" testdata/bench/notify_peer.c
gcc -O2 -Wall -o "$TMP/filter_cost" testdata/bench/filter_cost.c
BODY=$TMP/body.md
: >"$BODY"
emit() { printf '%s\n' "$@" >>"$BODY"; }

# ms CMD...: wall milliseconds of one run, output discarded.
ms() {
	local a b
	a=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 || true
	b=$EPOCHREALTIME
	awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f\n", (b - a) * 1000}'
}
# stats FILE: "min / median / max" of the numbers in FILE.
stats() {
	sort -g "$1" | awk 'function f(x) { return x >= 100 ? sprintf("%.0f", x) : sprintf("%.3g", x) }
		{v[NR]=$1} END {printf "%s / %s / %s", f(v[1]), f(v[int((NR+1)/2)]), f(v[NR])}'
}
median() { sort -g "$1" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
# alternate NAME... : runs the commands in the functions cmd_NAME in turn,
# RUNS times, collecting ms in $TMP/NAME.
# A first untimed run of the first command warms the caches.
# ALT_RUNS, when set, overrides RUNS for one call.
alternate() {
	local _i _c _n=${ALT_RUNS:-$RUNS}
	for _c in "$@"; do : >"$TMP/$_c"; done
	"cmd_$1" >/dev/null 2>&1 || true
	for ((_i = 0; _i < _n; _i++)); do
		for _c in "$@"; do ms "cmd_$_c" >>"$TMP/$_c"; done
	done
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
met() { awk -v r="$1" -v g="$2" 'BEGIN {print (r <= g) ? "met" : "**not met**"}'; }
# gobench PKG PATTERN BENCHTIME: the benchmark lines of go test -bench.
gobench() { $GO test -run '^$' -bench "$2" -benchtime "$3" -benchmem "$1" 2>&1 | grep -E '^Benchmark' || true; }
# metric LINE UNIT: the figure before UNIT in a benchmark line.
metric() { awk -v u="$2" '{for (i = 2; i <= NF; i++) if ($i == u) print $(i-1)}' <<<"$1" | head -1; }

machine() {
	emit "## Machine" ""
	emit "- generated: $(date -u +%Y-%m-%dT%H:%MZ) by \`make bench\` (BENCH_RUNS=$RUNS)"
	emit "- kernel: $(uname -r); CPU: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) CPUs"
	emit "- load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
	emit "- libseccomp: $(pkg-config --modversion libseccomp 2>/dev/null || echo unknown); $($GO version | cut -d' ' -f3)"
	emit "- BPF JIT (/proc/sys/net/core/bpf_jit_enable): $(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null || echo unknown)"
	emit "- spec_store_bypass (SSBD): $(cat /sys/devices/system/cpu/vulnerabilities/spec_store_bypass 2>/dev/null || echo unknown)"
	# Mitigations that act on every kernel entry or exit (clearing CPU
	# buffers, return thunks) change what a syscall costs between two
	# hosts that report the same CPU name.
	local f v m=""
	for f in /sys/devices/system/cpu/vulnerabilities/*; do
		[ -r "$f" ] && [ "${f##*/}" != spec_store_bypass ] || continue
		v=$(cat "$f")
		case $v in "Not affected" | Vulnerable*) continue ;; esac
		m="$m${m:+ · }${f##*/}: ${v%%;*}"
	done
	emit "- other CPU mitigations in force: ${m:-none}"
	emit ""
}

# Launch: cold is a run with a fresh, empty program cache (compile, verify
# and store), warm one whose cache holds the program (primed first). A
# launch takes 10 ms or so, so each peer group runs LAUNCH_RUNS times
# (default 20 × BENCH_RUNS): many runs cost seconds and steady the medians
# on a VM whose speed drifts within a minute. The floor rows are programs that only start and
# exit: a Go program built without cgo, one linked as the workbench is
# (cgo, libc, libseccomp), and the workbench's lean build printing its
# help.
launch() {
	"$SWB" export preset:docker-default --format bpf -o "$TMP/dd.bpf" 2>/dev/null
	local n=0
	cmd_direct() { /bin/true; }
	cmd_bwrap() { bwrap --dev-bind / / --seccomp 9 /bin/true 9<"$TMP/dd.bpf"; }
	cmd_cold() {
		n=$((n + 1))
		XDG_CACHE_HOME="$TMP/xdg-cold.$n" "$SWB" run --mode enforce --profile preset:docker-default -- /bin/true
	}
	cmd_warm() { XDG_CACHE_HOME="$TMP/xdg-warm" "$SWB" run --mode enforce --profile preset:docker-default -- /bin/true; }
	cmd_gopure() { "$TMP/floor_pure"; }
	cmd_gocgo() { "$TMP/floor_cgo"; }
	cmd_help() { "$SWB" run --help; }
	CGO_ENABLED=0 $GO build -o "$TMP/floor_pure" ./testdata/bench/floor/pure
	$GO build -o "$TMP/floor_cgo" ./testdata/bench/floor/cgo
	cmd_warm >/dev/null 2>&1 || true
	ALT_RUNS=${LAUNCH_RUNS:-$((RUNS * 20))} alternate direct bwrap cold warm gopure gocgo help
	rm -rf "$TMP"/xdg-cold.*
	local rc rw b
	b=$(median "$TMP/bwrap")
	rc=$(ratio "$(median "$TMP/cold")" "$b")
	rw=$(ratio "$(median "$TMP/warm")" "$b")
	emit "## Launch" "" "\`run --mode enforce -- /bin/true\` under docker-default, the whole CLI, ms (min / median / max) over ${LAUNCH_RUNS:-$((RUNS * 20))} alternating runs; cold: an empty program cache (compile, verify, store), warm: the program cached:" ""
	emit "| direct exec | bwrap --seccomp (exported BPF) | workbench, cold | workbench, warm | cold / bwrap (goal ≤ 2) | warm / bwrap (goal ≤ 1.3) |" "|---|---|---|---|---|---|"
	emit "| $(stats "$TMP/direct") | $(stats "$TMP/bwrap") | $(stats "$TMP/cold") | $(stats "$TMP/warm") | $rc $(met "$rc" 2) | $rw $(met "$rw" 1.3) |" ""
	local gp gc h
	gp=$(median "$TMP/gopure")
	gc=$(median "$TMP/gocgo")
	h=$(median "$TMP/help")
	emit "The floor, in the same runs: programs that start and exit and do nothing else (testdata/bench/floor), against bwrap's whole run. The warm goal is $(awk -v b="$b" 'BEGIN {printf "%.2f", 1.3 * b}') ms here; what is left of it once a Go command linked as the workbench has started and exited is $(awk -v b="$b" -v g="$gc" 'BEGIN {printf "%.2f", 1.3 * b - g}') ms:" ""
	emit "| Go, no cgo | Go with cgo and libseccomp (as the workbench links) | workbench \`run --help\` (lean build) | no cgo / bwrap | cgo / bwrap | \`run --help\` / bwrap |" "|---|---|---|---|---|---|"
	emit "| $(stats "$TMP/gopure") | $(stats "$TMP/gocgo") | $(stats "$TMP/help") | $(ratio "$gp" "$b") | $(ratio "$gc" "$b") | $(ratio "$h" "$b") |" ""
	emit '```' "$(gobench ./runner 'Launch' 100x)" '```' ""
}

# Compile + verify: docker-default as a run builds it (build), its parts,
# and libseccomp's one filter for all three ABIs (onefilter), the way
# Compile worked before it compiled each ABI alone; then the growth
# benchmarks (10 to 400 syscalls, 50 argument rules).
compile() {
	local out scale b c l o v
	out=$(gobench ./profile/compile 'BuildDockerDefault' 50x)
	scale=$(gobench ./profile/compile 'BuildScale' 10x)
	emit "## Compile and verify" "" "docker-default (three ABIs): build (the workbench's generator + verify, as a run pays it), the generator alone, the peers: libseccomp's programs per ABI joined by the same dispatch (compile-libseccomp, Build's fallback) and libseccomp's one filter for the three ABIs (onefilter, how the workbench compiled two versions ago), verify alone:" "" '```' "$out" '```' ""
	b=$(metric "$(grep 'DockerDefault/build' <<<"$out" | head -1)" ns/op)
	c=$(metric "$(grep 'DockerDefault/compile-' <<<"$out" | grep -v libseccomp | head -1)" ns/op)
	l=$(metric "$(grep 'DockerDefault/compile-libseccomp' <<<"$out" | head -1)" ns/op)
	o=$(metric "$(grep 'DockerDefault/onefilter' <<<"$out" | head -1)" ns/op)
	v=$(metric "$(grep 'DockerDefault/verify' <<<"$out" | head -1)" ns/op)
	msf() { awk -v x="$1" 'BEGIN {printf "%.1f", x / 1e6}'; }
	if [ -n "$b" ]; then
		emit "compile + verify of docker-default (build): $(msf "$b") ms; goal ≤ 5 ms: $(met "$(msf "$b")" 5)" ""
	fi
	if [ -n "$c" ] && [ -n "$l" ] && [ -n "$o" ] && [ -n "$v" ]; then
		emit "the generator: $(msf "$c") ms; libseccomp per ABI, joined: $(msf "$l") ms ($(ratio "$l" "$c")× the generator); libseccomp's one filter: $(msf "$o") ms ($(ratio "$o" "$c")×); verify: $(msf "$v") ms" ""
	fi
	emit "How compile + verify grows with the number of allowed calls, without and with 50 argument rules (x86_64 has 368 calls the catalog can number, so the largest case is 368):" "" '```' "$scale" '```' ""
}

output() {
	local n=300000000
	cmd_pass() { sh -c "yes | head -c 300000000"; }
	cmd_json2() { "$SWB" run --json --profile preset:docker-default -- sh -c "yes | head -c 300000000"; }
	cmd_json64() { "$SWB" run --json --profile preset:docker-default -- sh -c "yes 123456789012345678901234567890123456789012345678901234567890123 | head -c 300000000"; }
	local save=$RUNS
	RUNS=$(((RUNS + 1) / 2))
	alternate pass json2 json64
	RUNS=$save
	local rss
	rss=$( { /usr/bin/time -f '%M' "$SWB" run --json --profile preset:docker-default -- sh -c "yes | head -c $n" >/dev/null; } 2>&1 | tail -1)
	local mb2 mb64
	mb2=$(awk -v t="$(median "$TMP/json2")" -v n=$n 'BEGIN {printf "%.0f", n / 1e6 / (t / 1000)}')
	mb64=$(awk -v t="$(median "$TMP/json64")" -v n=$n 'BEGIN {printf "%.0f", n / 1e6 / (t / 1000)}')
	emit "## Output" "" "300 MB of output through \`run --json\` to /dev/null, ms (min / median / max):" ""
	emit "| plain \`yes \| head\` | 2-byte lines | 64-byte lines | MB/s, 2-byte / 64-byte | goal ≥ 200 MB/s | peak RSS, 2-byte |" "|---|---|---|---|---|---|"
	emit "| $(stats "$TMP/pass") | $(stats "$TMP/json2") | $(stats "$TMP/json64") | $mb2 / $mb64 | $(met 200 "$mb2") | $((rss / 1024)) MiB |" ""
	emit "The TUI's side (one 64 KiB batch of 2-byte lines taken and drawn; 256 long lines):" ""
	emit '```' "$(gobench ./tui 'StreamBatch' 100x)" "$(gobench ./cmd/seccomp-workbench 'OutputRecord' 500x)" '```' ""
	local flood slow lost verdict
	flood=$(gobench ./tui 'StreamFlood' 3x)
	slow=$(awk '{for (i = 2; i <= NF; i++) if ($i == "MB/s") print $(i-1)}' <<<"$flood" | sort -g | head -1)
	lost=$(awk '{for (i = 2; i <= NF; i++) if ($i == "lost-bytes") n += $(i-1)} END {print n + 0}' <<<"$flood")
	# Output the runner had to drop did not reach the screen: a rate with
	# losses is not one the TUI kept up with.
	verdict=$(met 200 "${slow:-0}")
	[ "$lost" = 0 ] || verdict="**not met** ($lost bytes lost)"
	emit "The TUI end to end: a real command's 64 MB taken as the program takes it (waitEvents' batches, one Update and one View each), by line length; the slowest moves ${slow:-?} MB/s, goal ≥ 200 MB/s with no output lost: $verdict; lost-bytes is what the runner had to drop. StreamWrite is one 64 KiB event into the run pane without drawing:" ""
	emit '```' "$flood" "$(gobench ./tui 'StreamWrite' 100x)" '```' ""
}

# Notify: NOTIFY_ROUNDS (default 3 × BENCH_RUNS) alternating rounds of
# 30,000 denied calls each for the workbench and both C peers. A round's
# figure swings by a tenth or more on a shared VM; many short rounds
# give a steadier median than a few long ones in the same time. The Go
# benchmark is built once and run as a binary in its package directory.
notify() {
	local i out n=${NOTIFY_ROUNDS:-$((RUNS * 3))}
	: >"$TMP/nw"
	: >"$TMP/nc"
	: >"$TMP/ns"
	$GO test -c -o "$TMP/runner.test" ./runner
	for ((i = 0; i < n; i++)); do
		out=$(cd runner && "$TMP/runner.test" -test.run '^$' -test.bench 'DeniedCallWatch$' -test.benchtime 30000x 2>&1 | grep -E '^Benchmark')
		metric "$out" ns/call >>"$TMP/nw"
		"$TMP/notify_peer" 30000 2>&1 | awk '/^ns\/call/ {print $2}' >>"$TMP/nc"
		"$TMP/notify_peer" 30000 setsid 2>&1 | awk '/^ns\/call/ {print $2}' >>"$TMP/ns"
	done
	local ws r rs
	ws=$(median "$TMP/nw")
	r=$(ratio "$ws" "$(median "$TMP/nc")")
	rs=$(ratio "$ws" "$(median "$TMP/ns")")
	emit "## Notify round trip" "" "A denied getppid in watch mode against a minimal C supervisor (testdata/bench/notify_peer.c: poll, RECV, SEND, synchronous wake-up), ns per call (min / median / max) over $n alternating rounds of 30,000 calls:" ""
	emit "| C supervisor | workbench watch | ratio | goal ≤ 1.2 | C supervisor, child in its own session (as the workbench's target) | ratio to it |" "|---|---|---|---|---|---|"
	emit "| $(stats "$TMP/nc") | $(stats "$TMP/nw") | $r | $(met "$r" 1.2) | $(stats "$TMP/ns") | $rs |" ""
}

record() {
	cat >"$TMP/work.py" <<'PY'
import json, os, tempfile, email.parser, http.client, xml.dom.minidom, sqlite3
d = tempfile.mkdtemp()
for i in range(300):
    p = os.path.join(d, "f%d" % i)
    with open(p, "w") as f:
        json.dump({"i": i}, f)
    os.stat(p)
    os.unlink(p)
os.rmdir(d)
PY
	local auto
	auto=$("$SWB" record -o "$TMP/rec.json" -- /bin/true 2>&1 | sed -n 's/^seccomp-workbench: engine \([a-z]*\).*/\1/p')
	emit "## Record overhead" "" "Overhead = (t_tool − t_direct) / (t_strace − t_direct), medians of alternating runs. \`record\` as a user runs it (no --engine: auto, which chose **${auto:-unknown}** here) is judged against the goal ≤ 0.33; the eBPF engine also has its own goal ≤ 0.05. The notify engine, which auto uses without CAP_BPF and CAP_PERFMON, is shown next to it. Times in ms (min / median / max)." ""
	emit "| workload | CPUs | direct | strace -f | record (auto) | overhead | goal ≤ 0.33 | ≤ 0.05 | record --engine notify | overhead | ≤ 0.33 |" "|---|---|---|---|---|---|---|---|---|---|---|"
	local w pin
	for w in find tar python; do
		case $w in
		find) wl=(find /usr -type f) ;;
		tar) wl=(tar cf /dev/null /usr/share) ;;
		python) wl=(python3 "$TMP/work.py") ;;
		esac
		for pin in pinned unpinned; do
			pre=()
			[ $pin = pinned ] && pre=(taskset -c 1)
			cmd_d() { "${pre[@]}" "${wl[@]}"; }
			cmd_s() { "${pre[@]}" strace -f -o /dev/null "${wl[@]}"; }
			cmd_r() { "${pre[@]}" "$SWB" record --engine notify -o "$TMP/rec.json" -- "${wl[@]}"; }
			cmd_e() { "${pre[@]}" "$SWB" record -o "$TMP/rec.json" -- "${wl[@]}"; }
			local save=$RUNS
			RUNS=$(((RUNS + 1) / 2))
			alternate d s r e
			RUNS=$save
			local o oe
			over() { awk -v d="$(median "$TMP/d")" -v s="$(median "$TMP/s")" -v r="$(median "$TMP/$1")" 'BEGIN {printf "%.3f", (r - d) / (s - d)}'; }
			o=$(over r)
			oe=$(over e)
			emit "| $w | $pin | $(stats "$TMP/d") | $(stats "$TMP/s") | $(stats "$TMP/e") | $oe | $(met "$oe" 0.33) | $(met "$oe" 0.05) | $(stats "$TMP/r") | $o | $(met "$o" 0.33) |"
		done
	done
	emit ""
}

# Filter: what the installed program costs on each call the target makes,
# against the same calls with no filter, in alternating runs.
filter() {
	"$SWB" export preset:docker-default --format bpf -o "$TMP/dd.bpf" 2>/dev/null
	local k p
	for k in none wb; do for p in getppid personality; do : >"$TMP/f_${k}_$p"; done; done
	for ((i = 0; i < RUNS; i++)); do
		for k in none wb; do
			local f=()
			[ $k = wb ] && f=("$TMP/dd.bpf")
			out=$("$TMP/filter_cost" 2000000 "${f[@]}")
			for p in getppid personality; do awk -v k="${p}_ns" '$1 == k {print $2}' <<<"$out" >>"$TMP/f_${k}_$p"; done
		done
	done
	emit "## Filter cost per call" "" "docker-default's program as \`export --format bpf\` writes it, installed in a C loop (testdata/bench/filter_cost.c), ns per call (min / median / max); getppid: no rule reads its arguments; personality(0xffffffff): its rules compare the argument:" ""
	emit "| call | no filter | workbench's program | the filter's cost |" "|---|---|---|---|"
	for p in getppid personality; do
		emit "| $p | $(stats "$TMP/f_none_$p") | $(stats "$TMP/f_wb_$p") | $(awk -v a="$(median "$TMP/f_wb_$p")" -v b="$(median "$TMP/f_none_$p")" 'BEGIN {printf "%.0f", a - b}') |"
	done
	emit ""
}

# TUI keystrokes, side by side with the code of BENCH_BASE (a git
# revision; default: the commit that last wrote docs/benchmarks.md, whose
# figures are the ones published; empty: none), in alternating rounds:
# this VM's speed drifts by a factor of two between hours, which moves
# both builds alike and a comparison with the previous file's figures
# not at all.
tui() {
	local base wt="" i name
	base=${BENCH_BASE-$(git log -1 --format=%h -- docs/benchmarks.md 2>/dev/null || true)}
	$GO test -c -o "$TMP/tui-head.test" ./tui
	if [ -n "$base" ]; then
		wt=$TMP/base-tree
		if ! git worktree add -q --detach "$wt" "$base" || ! (cd "$wt" && $GO test -c -o "$TMP/tui-base.test" ./tui); then
			echo "bench: could not build the keystroke benchmarks of $base (BENCH_BASE): this tree's alone" >&2
			wt=""
		fi
	fi
	: >"$TMP/keys-head"
	: >"$TMP/keys-base"
	# keys NAME DIR: one round of NAME's keystroke benchmarks, run in DIR/tui.
	keys() { (cd "$2/tui" && "$TMP/tui-$1.test" -test.run '^$' -test.bench Keystroke -test.benchtime 200x -test.benchmem) | grep '^Benchmark' >>"$TMP/keys-$1" || true; }
	# Which goes first alternates too. The same code against itself
	# (BENCH_BASE=HEAD) read 0.90-1.09 here.
	for ((i = 0; i < KEY_ROUNDS; i++)); do
		if [ -z "$wt" ]; then
			keys head .
		elif ((i % 2 == 0)); then
			keys head . && keys base "$wt"
		else
			keys base "$wt" && keys head .
		fi
	done
	[ -z "$wt" ] || git worktree remove --force "$wt"
	emit "## TUI keystrokes" ""
	if [ -n "$wt" ]; then
		emit "ns per keystroke (Update and View), median of $KEY_ROUNDS alternating rounds of 200, this tree against $base (BENCH_BASE; by default the commit that last wrote this file, whose figures it replaces):" "" \
			"| keystroke | $base | this tree | this / $base |" "|---|---|---|---|"
		for name in $(awk '!seen[$1]++ {print $1}' "$TMP/keys-head"); do
			local h b
			h=$(median <(awk -v n="$name" '$1 == n {print $3}' "$TMP/keys-head"))
			b=$(median <(awk -v n="$name" '$1 == n {print $3}' "$TMP/keys-base"))
			[ -z "$b" ] || emit "| ${name#BenchmarkKeystroke/} | $b | $h | $(ratio "$h" "$b") |"
		done
		emit "" "The last round of this tree, with allocations:" ""
	fi
	emit '```' "$(tail -n "$(awk '!seen[$1]++' "$TMP/keys-head" | wc -l)" "$TMP/keys-head")" '```' ""
}

machine
for s in ${BENCH_SECTIONS:-launch compile filter output notify record tui}; do
	echo "bench: $s" >&2
	"$s"
done
{
	cat docs/benchmarks.md.in
	echo
	cat "$BODY"
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "bench: wrote $OUT" >&2
