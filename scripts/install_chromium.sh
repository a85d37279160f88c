#!/usr/bin/env bash
# Install Debian's chromium for the Playwright browser tests.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
  echo "ERROR: browser tests need Debian's chromium: run 'sudo apt-get install -y chromium' once." >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
