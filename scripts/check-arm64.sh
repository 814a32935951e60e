#!/usr/bin/env bash
# Keeps ARM64 building and its kernels right without an ARM64 machine: cross-compiles every C
# target of the package for aarch64 with the Swift tool-chain's clang (the compiler SwiftPM
# uses, same -O3), then runs Tests/ARM64/kernels_check.c under qemu-user on a Cortex-A53 (NEON
# only) and a Cortex-A76 (NEON with dot product). The Swift targets are not cross-built: this
# machine has no ARM64 Swift SDK.
set -euo pipefail
cd "$(dirname "$0")/.."

sysroot=/usr/aarch64-linux-gnu
# The clang beside swift, which also brings the lld this links with.
clang=$(dirname "$(readlink -f "$(command -v swift)")")/clang
[ -x "$clang" ] || clang=clang
for tool in "$clang" qemu-aarch64; do
    command -v "$tool" >/dev/null || { echo "check-arm64: $tool missing (make setup installs qemu-user; clang comes with Swift)" >&2; exit 1; }
done
[ -f "$sysroot/include/stdio.h" ] || { echo "check-arm64: no aarch64 C library in $sysroot (make setup installs libc6-dev-arm64-cross)" >&2; exit 1; }

out=.build/arm64-check
mkdir -p "$out"
cflags=(--target=aarch64-linux-gnu -O3 -std=gnu11 -Wall -Wextra -Werror -pthread)

# Every C target compiles for aarch64 (objects only for those the kernel check does not link).
for target in CAffordMath CAffordImaging; do
    for source in Sources/$target/*.c; do
        "$clang" "${cflags[@]}" -I "Sources/$target/include" -c "$source" -o "$out/$target-$(basename "$source" .c).o"
    done
done
"$clang" "${cflags[@]}" -fuse-ld=lld -I Sources/CAffordKernels/include \
    Sources/CAffordKernels/*.c Tests/ARM64/kernels_check.c -o "$out/kernels_check" -lm

run() { qemu-aarch64 -cpu "$1" -L "$sysroot" "$out/kernels_check" --expect "$2" | sed "s/^/check-arm64 ($1): /"; }
run cortex-a53 neon
run cortex-a76 neon_dotprod
