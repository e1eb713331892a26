"""A real local HTTP server speaking the OpenAI chat-completions protocol, with scripted
answers: for tests, and for trying the LLM layer offline.

    with FakeOpenAIServer() as server:
        server.push(Reply.answer({"assignments": []}))
        config = LLMConfig(mode="ambiguous", model="fake", base_url=server.base_url)
        ...
        server.requests  # the JSON bodies received

Replies are served in order; when the queue is empty, ``default`` answers (an error 500 unless
set). ``responder`` (a function of the request body) may compute replies instead. ``kill()``
makes the server die as a crashed one does (also from inside a responder, mid-run): it stops
listening, and open connections are dropped unanswered. Answers come
back as ``message.content`` (instructor's JSON modes) or, when the request carries ``tools``, as
a tool call — with ``usage`` counted by the same estimate as ``tokens``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .tokens import estimate_messages, estimate_tokens


@dataclass
class Reply:
    status: int = 200
    content: str | None = None  # the assistant's message (status 200)
    body: str | None = None  # raw body for errors
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering

    @classmethod
    def answer(cls, answer: dict[str, Any] | str, *, delay: float = 0.0) -> Reply:
        content = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
        return cls(content=content, delay=delay)

    @classmethod
    def error(cls, status: int, *, headers: dict[str, str] | None = None, message: str = "scripted error") -> Reply:
        body = json.dumps({"error": {"message": message, "type": "server_error", "code": status}})
        return cls(status=status, body=body, headers=headers or {})


class FakeOpenAIServer:
    def __init__(self, default: Reply | None = None, responder: Callable[[dict[str, Any]], Reply] | None = None):
        self.queue: deque[Reply] = deque()
        self.default = default or Reply.error(500, message="no scripted answer left")
        self.responder = responder
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.times: list[float] = []
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self.dead = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def push(self, *replies: Reply) -> FakeOpenAIServer:
        self.queue.extend(replies)
        return self

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def kill(self) -> None:
        """Die: refuse new connections and drop the open ones (the client sees a connection error)."""
        self.dead = True
        self._server.shutdown()  # the accept loop (call this from any thread but that loop's)
        self._server.server_close()  # refused from now on
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _next(self, request: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(request)
            self.times.append(time.monotonic())
            if self.queue:
                return self.queue.popleft()
        return self.responder(request) if self.responder else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def setup(self) -> None:
                super().setup()
                with server._lock:
                    server._connections.add(self.connection)

            def finish(self) -> None:
                with server._lock:
                    server._connections.discard(self.connection)
                try:
                    super().finish()
                except OSError:
                    pass

            def do_POST(self) -> None:  # noqa: N802
                if server.dead:
                    self.close_connection = True
                    return
                length = int(self.headers.get("content-length") or 0)
                try:
                    request = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    request = {}
                with server._lock:  # names in lower case: HTTP header names ignore case
                    server.headers.append({k.lower(): v for k, v in self.headers.items()})
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    return self._send(404, json.dumps({"error": {"message": "not found"}}), {})
                reply = server._next(request)
                if server.dead:  # killed while this request was in: no answer
                    self.close_connection = True
                    return
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    return self._send(reply.status, reply.body or "{}", reply.headers)
                self._send(200, json.dumps(_completion(request, reply.content or ""), ensure_ascii=False),
                           reply.headers)

            def _send(self, status: int, body: str, headers: dict[str, str]) -> None:
                data = body.encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

        return Handler


def _completion(request: dict[str, Any], content: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    finish = "stop"
    tools = request.get("tools") or []
    if tools:
        name = tools[0].get("function", {}).get("name", "answer")
        message = {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": name, "arguments": content}}]}
        finish = "tool_calls"
    prompt_tokens = estimate_messages(request.get("messages", []))
    completion_tokens = estimate_tokens(content)
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
        "model": request.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }
