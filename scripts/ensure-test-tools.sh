#!/usr/bin/env bash
# Tools the tests drive, from Debian, run before the tests (npm's "pretest"):
# - Chromium (/usr/bin/chromium) for the browser tests, through playwright-core; nothing
#   downloads a browser of its own;
# - belenios-tool (/usr/bin/belenios-tool, Belenios 2.0), the independent oracle of the
#   verifiable mode's cryptography (packages/core/tests/crypto).
# Installs the missing ones when this machine can (root, apt-get), else says plainly which
# tests will fail.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/belenios-tool ] || missing+=(belenios-tool)
[ ${#missing[@]} = 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian's ${missing[*]} for the tests (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "== ${missing[*]} missing and cannot be installed here (needs root and apt-get, or: sudo apt-get install ${missing[*]}); the tests that use them will fail" >&2
fi
