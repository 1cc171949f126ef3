#!/usr/bin/env bash
# Checks every kernel level against the scalar reference, bit for bit (check.c), natively and,
# on an x86-64 machine, also at the levels the Swift tests there cannot reach: check.c and the
# kernels built for AArch64 and run under QEMU user emulation, as a CPU with the dot product
# and the int8 matrix multiply (-cpu max: neon, neon-dot, neon-i8mm), as one with the dot
# product only (neoverse-n1: neon, neon-dot) and as one with neither (cortex-a72: neon). On
# Debian/Ubuntu it installs qemu-user and the AArch64 C library when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
K=Sources/CSiftKernels
CC=${CC:-clang}

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0

echo "== native ($(uname -m))"
"$CC" -O2 -I$K/include -I$K CrossCheck/check.c $K/*.c -lm -o "$out/check-native"
"$out/check-native" || status=1

if [ "$(uname -m)" = x86_64 ]; then
  missing=()
  command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
  [ -f /usr/aarch64-linux-gnu/include/stdio.h ] || missing+=(libc6-dev-arm64-cross)
  compgen -G "/usr/lib/gcc-cross/aarch64-linux-gnu/*/crtbeginT.o" >/dev/null || missing+=(libgcc-12-dev-arm64-cross)
  if [ ${#missing[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then
      echo "the AArch64 check needs ${missing[*]} (Debian package names); install them or run on AArch64" >&2
      exit 1
    fi
    echo "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
  fi
  # Static, so QEMU needs no AArch64 loader; clang finds Debian's cross sysroot and GCC
  # runtime from the target triple.
  "$CC" --target=aarch64-linux-gnu -fuse-ld=lld -static -O2 -I$K/include -I$K CrossCheck/check.c $K/*.c -lm -o "$out/check-arm64"
  for cpu in max neoverse-n1 cortex-a72; do
    echo "== aarch64 under QEMU, -cpu $cpu"
    qemu-aarch64 -cpu $cpu "$out/check-arm64" || status=1
  done
fi
exit $status
