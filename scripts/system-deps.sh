#!/usr/bin/env bash
# Installs the Debian packages citylabel needs, only when one is missing, so a
# second run costs one dpkg query. Browsers come from Debian, never from a
# browser download (`playwright install` cannot work offline).
#   scripts/system-deps.sh demo   -> chromium, chromium-headless-shell, chromium-driver
#   scripts/system-deps.sh test   -> the same plus postgresql and redis-server (the tests start them)
set -euo pipefail
want=(chromium chromium-headless-shell chromium-driver)
if [ "${1:-demo}" = "test" ]; then
  want+=(postgresql redis-server)
fi
missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root or sudo to apt-get install ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
