#!/usr/bin/env bash
# Installs every Debian package in scripts/debian-packages.txt, every time: apt-get skips the ones
# already installed, so a package someone installed by hand can't hide a gap in the list.
# The package index is refreshed only when a package on the list is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$here/debian-packages.txt")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  # not root: no sudo prompt when every package on the list is there already
  [ ${#missing[@]} -eq 0 ] && exit 0
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "not root and no sudo: install these Debian packages by hand: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  # wireshark-common asks whether non-root users may capture: answer no, without a prompt
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  $SUDO apt-get update -qq
fi
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
