"""The child process that parses untrusted files: results come back, user errors pass
through, and overruns and crashes become a reason while the next call still works."""

from __future__ import annotations

import os
import sys
import time

import pytest

from vectorstore.errors import ArticleError
from vectorstore.sandbox import Sandbox, SandboxError

HERE = "tests.test_sandbox"


def echo(value: object) -> object:
    return value


def chatty(value: str) -> str:
    print("library noise on stdout")
    print("and on stderr", file=sys.stderr)
    return value.upper()


def refuse(name: str) -> None:
    raise ArticleError(f"{name}: no article text found")


def fail() -> None:
    raise ValueError("bad\nmarkup")


def spin() -> None:
    while True:
        pass


def die() -> None:
    os._exit(3)


def pid() -> int:
    return os.getpid()


def test_a_call_runs_in_another_process_and_returns_its_result():
    with Sandbox(timeout_s=10) as sandbox:
        assert sandbox.call(f"{HERE}:echo", {"a": [1, 2], "b": "Hà Nội"}) == {"a": [1, 2], "b": "Hà Nội"}
        assert sandbox.call(f"{HERE}:pid") != os.getpid()
        assert sandbox.call(f"{HERE}:chatty", "ok") == "OK"  # printing cannot corrupt the channel


def test_user_errors_pass_through_and_other_errors_become_one_line():
    with Sandbox(timeout_s=10) as sandbox:
        with pytest.raises(ArticleError, match="x.html: no article text found"):
            sandbox.call(f"{HERE}:refuse", "x.html")
        with pytest.raises(SandboxError, match=r"^could not be parsed \(ValueError: bad markup\)$"):
            sandbox.call(f"{HERE}:fail")
        with pytest.raises(SandboxError, match="cannot load"):
            sandbox.call(f"{HERE}:no_such_function")


def test_an_overrun_is_killed_and_the_next_call_gets_a_fresh_process():
    with Sandbox(timeout_s=0.5) as sandbox:
        first = sandbox.call(f"{HERE}:pid")
        started = time.perf_counter()
        with pytest.raises(SandboxError, match=r"took longer than 0\.5 s"):
            sandbox.call(f"{HERE}:spin")
        assert time.perf_counter() - started < 5
        assert sandbox.call(f"{HERE}:pid") != first


def test_a_crash_is_reported_and_survived():
    with Sandbox(timeout_s=10) as sandbox:
        with pytest.raises(SandboxError, match=r"stopped unexpectedly \(exit code 3\)"):
            sandbox.call(f"{HERE}:die")
        assert sandbox.call(f"{HERE}:echo", 7) == 7


def test_close_ends_the_child():
    sandbox = Sandbox(timeout_s=10)
    sandbox.call(f"{HERE}:echo", 1)
    process = sandbox._process
    sandbox.close()
    assert process is not None and process.poll() is not None
