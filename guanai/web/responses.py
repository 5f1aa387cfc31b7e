"""Answers every route shares: the one 404, and who the client is."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse

NOT_FOUND_BODY = "未找到 / Not Found\n"


def not_found() -> PlainTextResponse:
    """The same 404 for a path that does not exist and for an unknown, malformed, revoked or
    expired token: a guesser learns nothing from which it was."""
    return PlainTextResponse(NOT_FOUND_BODY, status_code=404)


def too_many_guesses() -> PlainTextResponse:
    """A client that sent too many unknown tokens, refused before any database work."""
    return PlainTextResponse(
        "请求过多，请稍后再试 / Too Many Requests\n",
        status_code=429,
        headers={"Retry-After": "60"},
    )


def client_address(request: Request) -> str:
    """The client's address as uvicorn reports it (the proxy's X-Forwarded-For when the proxy
    is trusted: ``guanai serve --forwarded-allow-ips``)."""
    return request.client.host if request.client else "?"
