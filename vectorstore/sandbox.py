"""Run the parsers of untrusted files in a child process, with a time limit per call.

Web pages and PDFs are parsed by libraries (lxml, trafilatura, pypdf) fed whatever a
user saved or a server sent, and a pathological file can keep them busy for minutes or
eat the machine's memory. A thread cannot be stopped, so each parse runs in a separate
interpreter that is killed when a call overruns and started afresh for the next call.

The child is a fresh `python -m vectorstore.sandbox`, not a multiprocessing fork or
spawn: it shares none of the parent's memory (models, index) and, unlike a spawned
process, does not re-import the parent's main module (which loads the whole pipeline).
It imports only the module of the function it is asked to run.

Calls and results travel as length-prefixed pickles over the child's stdin and a copy
of its stdout; the child's own stdout and stderr go nowhere, so a library that prints
cannot corrupt the channel or the user's terminal.
"""

from __future__ import annotations

import importlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from types import TracebackType
from typing import IO, Any, Self

from vectorstore.errors import NewsQAError

DEFAULT_TIMEOUT_S = 30.0
"""Far above what a legitimate page or PDF under the size limit takes to parse."""
STARTUP_TIMEOUT_S = 60.0
"""For starting the child and importing the parser, which the parse's limit leaves out."""
_MEMORY_LIMIT_BYTES = 2 * 1024**3
_HEADER = struct.Struct(">Q")
_MAX_REASON_CHARS = 200


class SandboxError(Exception):
    """The child did not finish a call (too slow, crashed); the message is the reason,
    without the file's name, which the caller knows."""


def _read_frame(stream: IO[bytes]) -> bytes | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


def _write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_REASON_CHARS else line[:_MAX_REASON_CHARS] + "…"


class Sandbox:
    """One child process, started on the first call and reused until a call overruns."""

    def __init__(self, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._replies: queue.Queue[bytes | None] = queue.Queue()
        self._reader: threading.Thread | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def call(self, function: str, *args: Any) -> Any:
        """Run `function` ("package.module:name") on args in the child and return its result.

        A NewsQAError raised by the function is raised here as it is; anything else that
        goes wrong (overrun, crash, an unexpected exception) raises SandboxError."""
        process = self._started()
        try:
            _write_frame(process.stdin, pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            self._stop()
            raise SandboxError("the parser process stopped before reading it") from None
        # The child says when it has imported the function and starts it: the limit is for the parse.
        self._reply(STARTUP_TIMEOUT_S, f"the parser process did not start within {STARTUP_TIMEOUT_S:g} s")
        kind, value = self._reply(
            self.timeout_s, f"took longer than {self.timeout_s:g} s to read (a deeply nested or oversized file?)"
        )
        if kind == "ok":
            return value
        if kind == "error":
            raise value
        raise SandboxError(f"could not be parsed ({value})")

    def close(self) -> None:
        """End the child: it exits when its input closes, and is killed if it does not."""
        if self._process is None:
            return
        try:
            self._process.stdin.close()
            self._process.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self._stop()

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stop()
        env = dict(os.environ)
        # The child must import what the parent can (this package, a test's helpers).
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "vectorstore.sandbox"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        self._replies = queue.Queue()
        self._reader = threading.Thread(target=self._read_replies, args=(self._process.stdout,), daemon=True)
        self._reader.start()
        return self._process

    def _read_replies(self, stream: IO[bytes]) -> None:
        replies = self._replies
        while (frame := _read_frame(stream)) is not None:
            replies.put(frame)
        replies.put(None)

    def _reply(self, timeout_s: float, overrun: str) -> tuple[str, Any]:
        try:
            frame = self._replies.get(timeout=timeout_s)
        except queue.Empty:
            self._stop()
            raise SandboxError(overrun) from None
        if frame is None:
            code = self._stop()
            raise SandboxError(f"the parser process stopped unexpectedly (exit code {code})")
        kind, value = pickle.loads(frame)
        if kind == "crash":
            raise SandboxError(f"could not be parsed ({value})")
        return kind, value

    def _stop(self) -> int | None:
        """Kill the child (if any) and return its exit code."""
        process, self._process = self._process, None
        if process is None:
            return None
        process.kill()
        code = process.wait()
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        if self._reader is not None:
            self._reader.join()
            self._reader = None
        return code


def _resolve(function: str) -> Any:
    module, _, name = function.partition(":")
    return getattr(importlib.import_module(module), name)


def _run(function: str, args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return "ok", _resolve(function)(*args)
    except NewsQAError as exc:
        return "error", exc
    except Exception as exc:  # noqa: BLE001 - any parser failure is reported, never fatal
        return "crash", _one_line(f"{type(exc).__name__}: {exc}")


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # not on Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    unlimited = resource.RLIM_INFINITY
    lowers_soft = soft == unlimited or soft > _MEMORY_LIMIT_BYTES
    if lowers_soft and (hard == unlimited or hard >= _MEMORY_LIMIT_BYTES):
        resource.setrlimit(resource.RLIMIT_AS, (_MEMORY_LIMIT_BYTES, hard))


def _serve() -> None:
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _limit_memory()
    requests = sys.stdin.buffer
    while (frame := _read_frame(requests)) is not None:
        function, args = pickle.loads(frame)
        try:
            _resolve(function)
        except Exception as exc:  # noqa: BLE001 - reported to the parent like any failure
            _write_frame(channel, pickle.dumps(("crash", _one_line(f"cannot load {function}: {exc}"))))
            continue
        _write_frame(channel, pickle.dumps(("started", None)))
        reply = _run(function, args)
        try:
            payload = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - an exception that does not pickle
            payload = pickle.dumps(("crash", _one_line(f"{type(exc).__name__}: {exc}")))
        _write_frame(channel, payload)


if __name__ == "__main__":
    _serve()
