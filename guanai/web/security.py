"""Security headers on every response of the web application, set once here.

A pure ASGI middleware (it wraps ``send``, so it also covers the 404, 405 and 429 answers and
streamed bodies): no referrer leaves a page (a feed's or a link's URL holds its token), no
framing, no sniffing, no indexing, scripts and forms from this origin only (the pages use no
inline script). HSTS only when the request came over https (uvicorn sets the scheme from
``X-Forwarded-Proto`` when the proxy is trusted: ``guanai serve --forwarded-allow-ips``): on
plain http it would be ignored, and a school that still runs without TLS must not be locked
out of its own server.

A request in HTTP/0.9 (a bare ``GET /path`` line, which httptools lets through as version
"0.9") is refused with 400 before the application sees it: such a client gets no page.

A response that says nothing of caching gets ``no-store`` (a teacher's page names children),
a static file found ``no-cache`` (revalidated by its ETag); the feeds set their own.
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-robots-tag", b"noindex, nofollow"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000")
STATIC_PREFIX = "/static/"
HTTP_VERSIONS = frozenset({"1.0", "1.1", "2", "3"})
OLD_HTTP = PlainTextResponse("需要 HTTP/1.0 或更新版本 / HTTP/1.0 or later only\n", status_code=400)


class SecurityHeaders:
    """Adds :data:`HEADERS` (and HSTS over https) to every HTTP response of ``app``; refuses
    HTTP/0.9."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(HEADERS)
        if scope.get("scheme") == "https":
            extra.append(HSTS)
        static = scope["path"].startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in names]
                if b"cache-control" not in names:
                    found = static and message["status"] < 400
                    headers.append((b"cache-control", b"no-cache" if found else b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        if scope.get("http_version") not in HTTP_VERSIONS:
            await OLD_HTTP(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
