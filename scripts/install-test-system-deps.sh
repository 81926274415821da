#!/usr/bin/env bash
# System packages the tests need that pip cannot install: Debian's chromium for the browser
# tests. Installs it with apt-get (as root, or through sudo) only when it is missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
