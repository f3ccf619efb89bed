#!/usr/bin/env bash
# Installs the Debian packages the tests use when they are missing: ser2net (RFC 2217 export of the
# virtual board), the ARM toolchain with newlib and qemu-system-arm (the dev-board firmware tier),
# sigrok-cli (the VCD export is checked by loading it with libsigrok; logic-analyzer captures of the pins).
set -euo pipefail
need=()
# tshark: decodes exported captures with the Wireshark dissector generated from the catalog
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v ser2net >/dev/null 2>&1 || need+=(ser2net)
command -v arm-none-eabi-gcc >/dev/null 2>&1 || need+=(gcc-arm-none-eabi)
[ -e /usr/lib/arm-none-eabi/newlib/libc.a ] || need+=(libnewlib-arm-none-eabi)
command -v qemu-system-arm >/dev/null 2>&1 || need+=(qemu-system-arm)
command -v sigrok-cli >/dev/null 2>&1 || need+=(sigrok-cli)
command -v clang >/dev/null 2>&1 || need+=(clang)  # libFuzzer with ASan/UBSan (fuzz/)
# make evidence: C core coverage with MC/DC (clang-19, llvm-19 tools, its profile runtime), MISRA (cppcheck)
command -v clang-19 >/dev/null 2>&1 || need+=(clang-19)
command -v llvm-cov-19 >/dev/null 2>&1 || need+=(llvm-19)
[ -n "$(ls /usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.profile-*.a 2>/dev/null)" ] || need+=(libclang-rt-19-dev)
command -v cppcheck >/dev/null 2>&1 || need+=(cppcheck)
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
if [[ " ${need[*]} " == *" tshark "* ]]; then
  # wireshark-common asks whether non-root users may capture: answer no, without a prompt
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
