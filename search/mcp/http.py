"""``/mcp``: the MCP server over streamable HTTP, inside the WSGI deployment (gunicorn gthread workers).

A DRF view in front: it authenticates like the REST API (DRF tokens, sent as ``Authorization: Bearer
<key>`` or ``Token <key>``; 401 without one), rate-limits per user with the API's throttles, and runs
behind every Django middleware (request ids, metrics, ALLOWED_HOSTS, input guard). It then hands the
request to the SDK's own Starlette app, made a WSGI app by a2wsgi, and returns its answer.

The SDK app runs stateless with JSON responses: every POST carries one JSON-RPC message and gets one
JSON answer, so no session outlives a request and any worker of any host can serve the next one. Its
session manager lives on one event-loop thread per process, started on the first /mcp request (a2wsgi
runs no ASGI lifespan, so ``_Bridge`` enters it). Tools run on the SDK's worker threads; the caller's
user travels to them in the WSGI environ (``ENVIRON_USER``), never in a header.
"""

from __future__ import annotations

import asyncio
import io
import threading
from typing import Any

from a2wsgi import ASGIMiddleware
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from rest_framework.authentication import TokenAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from .server import build_server

PATH = "/mcp"
ENVIRON_USER = "research_assistant.mcp.user"
START_TIMEOUT_SECONDS = 30
# The SDK's answer is copied onto the Django response, except what Django or the server sets itself.
_DROPPED_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "date", "server"})
# What the SDK app reads from the request: method, address, headers (credentials and cookies left out).
_ENVIRON_KEYS = frozenset(
    {"REQUEST_METHOD", "QUERY_STRING", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "REMOTE_ADDR", "CONTENT_TYPE"}
)
_PRIVATE_HEADERS = frozenset({"HTTP_AUTHORIZATION", "HTTP_COOKIE"})


class BearerTokenAuthentication(TokenAuthentication):
    """DRF's token, sent the way MCP clients send credentials: ``Authorization: Bearer <key>``."""

    keyword = "Bearer"


def user_from_request(ctx: Context) -> Any:
    """The user the view authenticated (refused when missing, which only a wiring mistake could cause)."""
    request = ctx.request_context.request
    scope = getattr(request, "scope", None) or {}
    user = (scope.get("wsgi_environ") or {}).get(ENVIRON_USER)
    if user is None or not user.is_authenticated:
        raise ToolError("Not authenticated.")
    return user


class _Bridge:
    """The SDK's streamable HTTP app as a WSGI app, its session manager running on a loop thread."""

    def __init__(self) -> None:
        self.server = build_server(user_for=user_from_request)
        app = self.server.streamable_http_app(
            streamable_http_path=PATH,
            stateless_http=True,
            json_response=True,
            # Django checks the Host header (ALLOWED_HOSTS) and the view wants a token no browser sends by
            # itself, so the SDK's localhost-only DNS-rebinding guard would only refuse real host names.
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="mcp-event-loop", daemon=True).start()
        started = threading.Event()

        async def lifespan() -> None:
            async with self.server.session_manager.run():
                started.set()
                await asyncio.Event().wait()  # for the life of the process

        self._lifespan = asyncio.run_coroutine_threadsafe(lifespan(), self.loop)
        if not started.wait(START_TIMEOUT_SECONDS):
            raise RuntimeError("the MCP session manager did not start")
        self.wsgi = ASGIMiddleware(app, wait_time=10.0, loop=self.loop)  # type: ignore[arg-type]


_bridge: _Bridge | None = None
_bridge_lock = threading.Lock()


def bridge() -> _Bridge:
    global _bridge
    if _bridge is None:
        with _bridge_lock:
            if _bridge is None:
                _bridge = _Bridge()
    return _bridge


def mcp_forward(request, *, user) -> HttpResponse:
    """Serve one MCP request (a Django ``HttpRequest``) for ``user``, already authenticated."""
    try:
        body = request.body
    except RequestDataTooBig:
        return JsonResponse({"detail": "The request body is too large."}, status=413)
    environ: dict[str, Any] = {
        key: value
        for key, value in request.META.items()
        if key in _ENVIRON_KEYS or (key.startswith("HTTP_") and key not in _PRIVATE_HEADERS)
    }
    environ.update(
        {
            "SCRIPT_NAME": "",
            "PATH_INFO": PATH,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": request.scheme,
            ENVIRON_USER: user,
        }
    )
    environ.setdefault("SERVER_PROTOCOL", "HTTP/1.1")
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer["status"], answer["headers"] = status, headers

    content = b"".join(bridge().wsgi(environ, start_response))  # type: ignore[arg-type]  # a plain WSGI call
    response = HttpResponse(content, status=int(answer["status"].split()[0]))
    for name, value in answer["headers"]:
        if name.lower() not in _DROPPED_HEADERS:
            response[name] = value
    return response


class _JsonErrors(BaseContentNegotiation):
    """The view's own answers (401, 429) are JSON whatever the client accepts; the SDK judges the rest."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class McpView(APIView):
    """POST one JSON-RPC message, get one JSON answer. GET and DELETE are 405 here: stateless, there is no
    session to end, and the SDK would hold a GET open as an endless event stream (a worker thread each)."""

    authentication_classes = [BearerTokenAuthentication, TokenAuthentication]
    content_negotiation_class = _JsonErrors
    permission_classes = [IsAuthenticated]
    schema = None  # not part of the REST API's OpenAPI document

    def post(self, request):
        return mcp_forward(request._request, user=request.user)
