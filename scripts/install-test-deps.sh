#!/usr/bin/env bash
# Install the system packages the test suite needs (Debian bookworm or later, as root).
#
#   knot      knotd (authoritative DNS server), knotc and keymgr (DNSSEC keys, DS records),
#             for the Knot DNS integration tier (tests/knot.py, tests/test_live_resolver.py)
#   chromium  headless Chromium, which opens the HTML writeups and an exported notebook
#             (tests/test_browser.py); fonts-dejavu-core gives it (and matplotlib) a font
#
# Idempotent: when the tools are already there it changes nothing. Non-interactive.
# Starts nothing: the tests start their own knotd on 127.0.0.1, in a temporary
# directory, and stop it at the end of the session; they run Chromium headless, one page
# at a time, with a fresh profile and no network beyond loopback.
set -euo pipefail

# Knot's tools live in /usr/sbin, which a non-login PATH may lack.
export PATH="${PATH:-/usr/bin:/bin}:/usr/sbin:/usr/local/sbin:/sbin"

have_knot() {
    command -v knotd >/dev/null 2>&1 && command -v knotc >/dev/null 2>&1 && command -v keymgr >/dev/null 2>&1
}

have_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

missing=()
have_knot || missing+=(knot)
have_chromium || missing+=(chromium fonts-dejavu-core)

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-test-deps: Knot DNS already installed ($(knotd --version 2>/dev/null | head -n 1))"
    echo "install-test-deps: Chromium already installed ($( (chromium --version || chromium-browser --version) 2>/dev/null | head -n 1))"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=(env)
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo -n env)
else
    echo "install-test-deps: need root (or passwordless sudo) to install the Debian packages: ${missing[*]}" >&2
    exit 1
fi

echo "install-test-deps: installing Debian packages: ${missing[*]}"
"${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
# Where an init system runs, the knot package enables a system-wide knotd on port 53; the
# tests never use it (nor does this script start or stop it). In a container without
# one, nothing is started.

if ! have_knot; then
    echo "install-test-deps: knot installed, but knotd/knotc/keymgr are still missing" >&2
    exit 1
fi
if ! have_chromium; then
    echo "install-test-deps: chromium installed, but no chromium binary is on PATH" >&2
    exit 1
fi
echo "install-test-deps: $(knotd --version | head -n 1)"
echo "install-test-deps: $( (chromium --version || chromium-browser --version) 2>/dev/null | head -n 1)"
