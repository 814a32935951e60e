"""sha256 checks with errors that name the file and both digests."""

from __future__ import annotations

import hashlib
from pathlib import Path


class HashMismatch(RuntimeError):
    """A file's sha256 differs from the pinned one."""

    def __init__(self, what: str, path: Path, expected: str, actual: str):
        super().__init__(
            f"{what}: sha256 mismatch for {path}\n  expected {expected}\n  actual   {actual}\n"
            "The file is corrupt or not the pinned release; delete it and run again."
        )
        self.path = path
        self.expected = expected
        self.actual = actual


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str, what: str) -> None:
    actual = sha256_file(path)
    if actual != expected:
        raise HashMismatch(what, path, expected, actual)
