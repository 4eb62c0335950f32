#!/bin/sh
# The browser tests (test/e2e/) drive Debian's Chromium through playwright-core. Installs it when
# it is missing and we may (root with apt-get); otherwise says what is missing and lets the
# tests report it. Run by `npm test` (pretest) and CI.
set -eu

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium for the browser tests..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM installed")" >&2
  exit 0
fi

echo "ensure-chromium: $CHROMIUM is missing and cannot be installed here (needs root and apt-get);" >&2
echo "ensure-chromium: install chromium, or set CHROMIUM_PATH, or the browser tests in test/e2e/ will fail." >&2
