#!/bin/sh
# Make sure Debian's chromium is installed for the browser tests; install it when we are root.
set -e
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "chromium is missing and this user cannot install it. Run: sudo apt-get install -y chromium" >&2
exit 1
