#!/bin/sh
# Installs the system packages the build and the tests need, when missing:
# libseccomp's headers and pkg-config (cgo build), tmux (terminal tests),
# bubblewrap and systemd's analyzer (export tests), strace (benchmarks),
# Python (the scenario examples run /usr/bin/python3),
# musl's gcc wrapper (the shim is a static program linked against musl), a
# static glibc (the runc test's static probe), and runc (the runc
# differential test runs a static probe in a container). `deps.sh bench`:
# what scripts/bench.sh needs besides (hyperfine, strace, bubblewrap, gcc,
# GNU time).
# Uses the system's package manager, with sudo when not root.
set -eu

want=""
need() { want="$want $1"; }

pkg-config --exists libseccomp 2>/dev/null || need seccomp-dev
command -v pkg-config >/dev/null 2>&1 || need pkg-config
command -v gcc >/dev/null 2>&1 || need gcc
command -v musl-gcc >/dev/null 2>&1 || need musl-gcc
# The runc test's probe is linked statically against glibc.
libc_a=$(gcc -print-file-name=libc.a 2>/dev/null || echo libc.a)
[ -f "$libc_a" ] || need libc-static
if [ "${1:-}" = "test" ]; then
	command -v tmux >/dev/null 2>&1 || need tmux
	[ -x /usr/bin/python3 ] || need python3
	command -v bwrap >/dev/null 2>&1 || need bubblewrap
	command -v strace >/dev/null 2>&1 || need strace
	command -v runc >/dev/null 2>&1 || need runc
fi
if [ "${1:-}" = "bench" ]; then
	command -v hyperfine >/dev/null 2>&1 || need hyperfine
	command -v strace >/dev/null 2>&1 || need strace
	command -v bwrap >/dev/null 2>&1 || need bubblewrap
	[ -x /usr/bin/time ] || need time
	command -v python3 >/dev/null 2>&1 || need python3
fi
[ -z "$want" ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
		echo "deps: need root or sudo to install:$want" >&2; exit 1
	fi
fi

map() { # generic name -> this system's package name
	case "$1:$2" in
	apt:seccomp-dev) echo libseccomp-dev ;;
	dnf:seccomp-dev) echo libseccomp-devel ;;
	apk:seccomp-dev) echo libseccomp-dev ;;
	dnf:pkg-config) echo pkgconf-pkg-config ;;
	apt:libc-static) echo libc6-dev ;;
	dnf:libc-static) echo glibc-static ;;
	apk:libc-static) echo musl-dev ;;
	apk:pkg-config) echo pkgconf ;;
	apt:musl-gcc) echo musl-tools ;;
	apk:musl-gcc) echo musl-dev ;;
	*) echo "$2" ;;
	esac
}

if command -v apt-get >/dev/null 2>&1; then pm=apt
elif command -v dnf >/dev/null 2>&1; then pm=dnf
elif command -v apk >/dev/null 2>&1; then pm=apk
else echo "deps: no apt-get, dnf or apk here; install by hand:$want" >&2; exit 1
fi

pkgs=""
for w in $want; do pkgs="$pkgs $(map $pm $w)"; done
echo "deps: installing$pkgs with $pm"
case $pm in
apt)
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null ;;
dnf) $SUDO dnf install -y -q $pkgs ;;
apk) $SUDO apk add -q $pkgs ;;
esac
