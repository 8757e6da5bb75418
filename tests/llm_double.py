"""A test double for an OpenAI-compatible chat endpoint (llama.cpp server, vLLM, LM Studio, Ollama's /v1).

The model server is a boundary this project does not own, so the tests stand a small
scripted HTTP server in its place: `POST /v1/chat/completions` answers with the first
rule whose needle occurs in the request's messages, as one JSON body or, when the
request says `"stream": true`, as server-sent events (`data: {chunk}` lines, then
`data: [DONE]`). Every request body is recorded, so a test can check the prompts the
pipeline sent. Replies can be delayed, fail with an HTTP status, or carry a raw
(malformed) body, which is how the tests reach the fallback paths.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass(frozen=True)
class Reply:
    """What the double sends back for one request."""

    text: str = ""
    delay_s: float = 0.0  # before the status line, as a model that is slow to start
    status: int = 200
    raw_body: bytes | None = None  # sent as is with a JSON content type, instead of a completion


class LLMDouble:
    """A scripted stand-in for a model endpoint on 127.0.0.1 (a free port); use as a context manager."""

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply("NOT_IN_ARTICLES")
        self.rules: list[tuple[str, Reply]] = []
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def on(self, needle: str, reply: Reply) -> LLMDouble:
        """Answer requests whose messages contain `needle` with `reply` (earlier rules win)."""
        self.rules.append((needle, reply))
        return self

    def reply_for(self, body: dict[str, Any]) -> Reply:
        content = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        return next((reply for needle, reply in self.rules if needle in content), self.default)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def closed_port_url() -> str:
    """The URL of a port nothing listens on, as an endpoint that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def _completion(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-double",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(delta: dict[str, str], model: str, finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-double",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode()


def _handler(double: LLMDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, b'{"error": {"message": "not found"}}')
                return
            double.requests.append(body)
            reply = double.reply_for(body)
            time.sleep(reply.delay_s)
            model = str(body.get("model", ""))
            try:
                if reply.raw_body is not None or reply.status != 200:
                    error = json.dumps({"error": {"message": "scripted failure"}}).encode()
                    self._send(reply.status, reply.raw_body if reply.raw_body is not None else error)
                elif body.get("stream"):
                    self._stream(reply.text, model)
                else:
                    self._send(200, json.dumps(_completion(reply.text, model), ensure_ascii=False).encode())
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing to answer

        def _send(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _stream(self, text: str, model: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(_chunk({"role": "assistant", "content": ""}, model))
            for piece in re.findall(r"\S+\s*", text):  # one word per chunk, as a model streams tokens
                self.wfile.write(_chunk({"content": piece}, model))
                self.wfile.flush()
            self.wfile.write(_chunk({}, model, finish="stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler
