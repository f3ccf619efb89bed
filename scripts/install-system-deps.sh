#!/usr/bin/env bash
# Installs the Debian packages the tests use when they are missing: ser2net (RFC 2217 export of the
# virtual board), the ARM toolchain with newlib and qemu-system-arm (the dev-board firmware tier).
set -euo pipefail
need=()
command -v ser2net >/dev/null 2>&1 || need+=(ser2net)
command -v arm-none-eabi-gcc >/dev/null 2>&1 || need+=(gcc-arm-none-eabi)
[ -e /usr/lib/arm-none-eabi/newlib/libc.a ] || need+=(libnewlib-arm-none-eabi)
command -v qemu-system-arm >/dev/null 2>&1 || need+=(qemu-system-arm)
command -v clang >/dev/null 2>&1 || need+=(clang)  # libFuzzer with ASan/UBSan (fuzz/)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "not root and no sudo: install ${need[*]} by hand" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
