#!/usr/bin/env bash
# Installs everything affordd needs to build, test and demo. Idempotent: a
# second run checks and returns in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
    libv4l-dev v4l-utils libjpeg-dev libturbojpeg0-dev libpng-dev libopenblas-dev
    libzmq3-dev liblz4-dev libzstd-dev pkg-config systemd python3-venv
    libllvm15
    libc6-dev-arm64-cross libgcc-12-dev-arm64-cross qemu-user
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Python tool-chain lives in its own virtual environment; the stamp holds
# the hash of what was installed so edits to the requirements reinstall.
VENV=.venv
stamp="$VENV/.affordd-stamp"
# (the requirements files are optional: a missing one must not trip pipefail)
want=$({ cat toolchain/pyproject.toml; cat toolchain/requirements*.txt 2>/dev/null || true; } | sha256sum | cut -d' ' -f1)
# --system-site-packages: a machine that already has numpy/onnxruntime/... reuses
# them (pip still checks the versions pyproject.toml asks for); a fresh one
# gets everything from PyPI.
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv --system-site-packages "$VENV"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: installing the Python tool-chain into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    if [ -f toolchain/requirements-torch.txt ]; then
        "$VENV/bin/python" -m pip install -q -r toolchain/requirements-torch.txt
    fi
    "$VENV/bin/python" -m pip install -q -e "toolchain[dev,render,bench]"
    echo "$want" > "$stamp"
fi
