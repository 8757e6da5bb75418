"""Start the chat for tests: a fresh index from seeds/ in a temporary folder, served on a
free loopback port in a background thread of the test process.

In-process, so the app shares the embedder the seed ingest already loaded. One app per
test session: `shared_app()` starts it on first use, and the UI test modules ask for it
(a fixture in conftest would be the natural home, but conftest is not this module's).

`python tests/ui_server.py` serves the same app until Ctrl-C or SIGTERM, to look at it by
hand or to load it (`python -m eval.load` starts it so); either way its index is removed.
"""

from __future__ import annotations

import atexit
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ui
from qa.catalog import ingest
from qa.settings import PROJECT_ROOT, Settings

SEEDS = PROJECT_ROOT / "seeds"


@dataclass(frozen=True)
class RunningApp:
    url: str
    settings: Settings
    demo: gr.Blocks


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(index_dir: Path) -> RunningApp:
    """Build the seed index in `index_dir` and serve the app on it."""
    settings = Settings.from_env(env={}, index_dir=index_dir, port=free_port())
    report = ingest([SEEDS], settings)
    assert len(report.added) == 5 and not report.skipped, report.summary()
    demo = ui.build_app(settings)
    options = ui.launch_options(settings) | {"prevent_thread_lock": True, "quiet": True}
    demo.launch(**options)
    return RunningApp(url=f"http://127.0.0.1:{settings.server.port}/", settings=settings, demo=demo)


_apps: list[RunningApp] = []


def shared_app() -> RunningApp:
    """The session's app, started on first use and closed when the process exits."""
    if not _apps:
        folder = tempfile.TemporaryDirectory(prefix="newsqa-ui-")
        app = start(Path(folder.name))
        _apps.append(app)
        atexit.register(folder.cleanup)
        atexit.register(app.demo.close)
    return _apps[0]


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # exit as from Ctrl-C: atexit cleans up
    running = shared_app()
    print(f"serving {running.url} (index in {running.settings.store.index_dir}); Ctrl-C to stop", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
