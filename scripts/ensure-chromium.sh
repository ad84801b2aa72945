#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (/usr/bin/chromium) through playwright-core;
# nothing downloads a browser of its own. Run before the tests (npm's "pretest"): installs
# the chromium package when it is missing and this machine can (root, apt-get), else says
# plainly that the browser tests will fail.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian's chromium for the browser tests (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
else
  echo "== /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get, or: sudo apt-get install chromium); the browser tests will fail" >&2
fi
