"""Client for `affordd-bench engine-server`, the Swift engine's benchmark server.

Line protocol (JSON objects on stdout, one per line; logs go to stderr):
- on start the server loads the models and prints `{"ready":true}`;
- `run int8 N [SIZE [BATCH]]` / `run fp32 ...`: N timed forward passes of BATCH images of
  SIZE x SIZE (default 224, 1), answered with `{"precision":"int8","ms":[...N values...]}`;
- `cosine`: int8 vs fp32 tokens over the fixture images, answered with
  `{"cosine_mean":x,"cosine_min":y}`;
- `reference SIZE`: int8 vs the fixtures' onnxruntime fp32 tokens, fixtures of SIZE x SIZE,
  answered with `{"cosine_mean":x,"cosine_min":y,"images":n}`;
- `floor SIZE`: the backbone's multiply-accumulates and the kernel peak measured now,
  answered with `{"macs":m,"peak_gops":p,"floor_ms":f}`;
- `quit`: the server exits.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from collections import deque
from pathlib import Path


class EngineServerError(RuntimeError):
    """The server died, timed out or broke the protocol."""


class EngineServer:
    """One running server; use as a context manager so it is always stopped."""

    def __init__(self, executable: Path, models: Path, threads: int = 2, timeout_s: float = 300.0,
                 fixtures: Path | None = None):
        self.command = [str(executable), "engine-server", "--models", str(models), "--threads", str(threads)]
        if fixtures is not None:
            self.command += ["--fixtures", str(fixtures)]
        self.timeout_s = timeout_s
        try:
            self.process = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, bufsize=1,
            )
        except OSError as error:
            raise EngineServerError(f"cannot start {' '.join(self.command)}: {error}") from error
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: deque[str] = deque(maxlen=20)
        threading.Thread(target=self._pump_stdout, daemon=True).start()
        threading.Thread(target=self._pump_stderr, daemon=True).start()
        ready = self._read("start-up")
        if ready.get("ready") is not True:
            raise self._error(f"expected {{\"ready\":true}} first, got {ready}")

    def _pump_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _pump_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._stderr.append(line.rstrip())

    def _error(self, message: str) -> EngineServerError:
        tail = "\n  ".join(self._stderr) or "(nothing)"
        return EngineServerError(f"{' '.join(self.command)}: {message}\n  server stderr:\n  {tail}")

    def _read(self, what: str) -> dict:
        while True:
            try:
                line = self._lines.get(timeout=self.timeout_s)
            except queue.Empty:
                raise self._error(f"no answer to {what} within {self.timeout_s:.0f} s") from None
            if line is None:
                code = self.process.wait()
                raise self._error(f"exited with status {code} while waiting for {what}")
            line = line.strip()
            if not line:
                continue
            try:
                answer = json.loads(line)
            except json.JSONDecodeError:
                raise self._error(f"answered {what} with a line that is not JSON: {line[:200]!r}") from None
            if not isinstance(answer, dict):
                raise self._error(f"answered {what} with {line[:200]!r}, not a JSON object")
            return answer

    def _ask(self, command: str) -> dict:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._error(f"closed its input before `{command}`") from None
        return self._read(f"`{command}`")

    def run(self, precision: str, count: int, size: int | None = None, batch: int = 1) -> list[float]:
        """Milliseconds of `count` timed forward passes (of `batch` images each)."""
        command = f"run {precision} {count}" + (f" {size or 224} {batch}" if size or batch != 1 else "")
        answer = self._ask(command)
        times = answer.get("ms")
        if answer.get("precision") != precision or not isinstance(times, list) or len(times) != count:
            raise self._error(f"bad answer to `{command}`: {answer}")
        return [float(value) for value in times]

    def cosine(self) -> tuple[float, float]:
        """int8 against fp32 tokens over the fixture images: (mean, min)."""
        return self._cosines("cosine")

    def reference_cosine(self, size: int) -> tuple[float, float]:
        """int8 against the fixtures' onnxruntime fp32 tokens at size x size: (mean, min)."""
        return self._cosines(f"reference {size}")

    def _cosines(self, command: str) -> tuple[float, float]:
        answer = self._ask(command)
        try:
            return float(answer["cosine_mean"]), float(answer["cosine_min"])
        except (KeyError, TypeError, ValueError):
            raise self._error(f"bad answer to `{command}`: {answer}") from None

    def floor(self, size: int) -> dict[str, float]:
        answer = self._ask(f"floor {size}")
        try:
            return {key: float(answer[key]) for key in ("macs", "peak_gops", "floor_ms")}
        except (KeyError, TypeError, ValueError):
            raise self._error(f"bad answer to `floor {size}`: {answer}") from None

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
            except (BrokenPipeError, OSError):
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "EngineServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
