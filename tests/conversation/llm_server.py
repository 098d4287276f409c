"""A local HTTP server speaking the OpenAI chat-completions and Anthropic Messages protocols.

Tests script its answers (status, headers, body, delay; or a server-sent event stream, optionally
cut off mid-way) and read back the requests it received. The official SDKs talk to it exactly as
to the real APIs: it is the third-party boundary, nothing of ours is patched.
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


@dataclass
class Scripted:
    status: int = 200
    body: object = None  # dict -> JSON, str/bytes -> raw
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    events: list[str] | None = None  # an SSE stream (chunked): each item one event, already framed
    cut_after: int | None = None  # drop the connection after this many events (no final chunk)
    event_delay: float = 0.0  # pause before each event
    before_event: Callable[[int], None] | None = None  # called (event index) before each event is sent


def sse(data: object, event: str | None = None) -> str:
    payload = data if isinstance(data, str) else json.dumps(data)
    return (f"event: {event}\n" if event else "") + f"data: {payload}\n\n"


def openai_stream(parts: list[str], model: str = "test-model") -> list[str]:
    """Chat-completion chunks as the API streams them: a role delta, content deltas, a stop, [DONE]."""

    def chunk(delta: dict, finish: str | None = None) -> str:
        return sse({
            "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        })  # fmt: skip

    return [chunk({"role": "assistant", "content": ""}), *(chunk({"content": p}) for p in parts),
            chunk({}, "stop"), sse("[DONE]")]  # fmt: skip


def anthropic_stream(parts: list[str], model: str = "test-model") -> list[str]:
    """Messages API events: message_start, a text block with its deltas, message_delta, message_stop."""
    start = {"type": "message_start", "message": {
        "id": "msg_test", "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 1}}}  # fmt: skip
    return [
        sse(start, "message_start"),
        sse({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}, "content_block_start"),
        sse({"type": "ping"}, "ping"),
        *(sse({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}, "content_block_delta")
          for p in parts),
        sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
        sse({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
             "usage": {"output_tokens": 10}}, "message_delta"),
        sse({"type": "message_stop"}, "message_stop"),
    ]  # fmt: skip


def anthropic_error_event(kind: str = "overloaded_error", message: str = "Overloaded") -> str:
    return sse({"type": "error", "error": {"type": kind, "message": message}}, "error")


def anthropic_tool_body(name: str, arguments: dict, model: str = "test-model") -> dict:
    """A Messages API reply whose content is one tool_use block (structured output by tool call)."""
    return {
        "id": "msg_test", "type": "message", "role": "assistant", "model": model,
        "content": [{"type": "tool_use", "id": "toolu_test", "name": name, "input": arguments}],
        "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 10},
    }  # fmt: skip


def openai_body(content: str, model: str = "test-model") -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def anthropic_body(text: str, model: str = "test-model") -> dict:
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 10, "output_tokens": 10},
    }


def error_body(kind: str, message: str) -> dict:
    return {"error": {"type": kind, "message": message}}


class LLMServer:
    def __init__(self):
        self.script: deque[Scripted] = deque()
        self.default: Scripted | None = None
        self.stream_default: Scripted | None = None  # for a streamed request when nothing is scripted
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # chunked streams, keep-alive as the SDKs expect

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    payload = json.loads(raw or b"null")
                except ValueError:
                    payload = None
                server.requests.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "json": payload}
                )
                streamed = isinstance(payload, dict) and payload.get("stream") is True
                if server.script:
                    step = server.script.popleft()
                else:
                    step = (server.stream_default if streamed else None) or server.default
                if step is None:
                    step = Scripted(status=500, body=error_body("api_error", "nothing scripted"))
                if step.delay:
                    time.sleep(step.delay)
                if step.events is not None:
                    self._stream(step)
                    return
                body = step.body
                if isinstance(body, dict | list):
                    data = json.dumps(body).encode()
                elif isinstance(body, str):
                    data = body.encode()
                else:
                    data = body or b""
                try:
                    self.send_response(step.status)
                    self.send_header("content-type", "application/json")
                    for key, value in step.headers.items():
                        self.send_header(key, value)
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def _stream(self, step: Scripted) -> None:
                try:
                    self.send_response(step.status)
                    self.send_header("content-type", "text/event-stream")
                    self.send_header("transfer-encoding", "chunked")
                    for key, value in step.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    for n, event in enumerate(step.events or []):
                        if step.cut_after is not None and n >= step.cut_after:
                            self.wfile.flush()
                            self.close_connection = True
                            self.connection.shutdown(socket.SHUT_RDWR)  # mid-body: no final chunk
                            return
                        if step.event_delay:
                            time.sleep(step.event_delay)
                        if step.before_event is not None:
                            step.before_event(n)
                        data = event.encode()
                        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                        self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass  # the client gave up

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):  # a client that went away (cut streams)
                pass

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def then(self, *steps: Scripted) -> LLMServer:
        self.script.extend(steps)
        return self

    def start(self) -> LLMServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
