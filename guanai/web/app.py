"""The ASGI application of ``guanai serve``: the feeds, the teachers' pages, their static files.

:func:`create_app` builds it on a :class:`~guanai.web.context.WebContext`;
:func:`create_app_from_environment` is the factory each uvicorn worker process calls (by its
import string), reading the settings as the CLI does (the config file, then the environment:
``guanai serve`` passes its ``--db``, ``--config`` and ``--lang`` on through
``GUANAI_DATABASE_URL``, ``GUANAI_CONFIG`` and ``GUANAI_LANG``), so every worker has its own
engine and connection pool.

Every answer that is not a route's own is one of a few plain bilingual texts: the one 404 (a
path that does not exist looks exactly like an unknown token), 405 with ``Allow``, and 500
without any detail (uvicorn logs the traceback, through the redacting filter of
:mod:`guanai.web.server`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from guanai.core.config import load_settings
from guanai.core.db import make_engine
from guanai.core.i18n import set_language
from guanai.core.pm import build_plugin_manager
from guanai.web.context import WebContext
from guanai.web.feed_routes import feed_routes
from guanai.web.pages import page_routes
from guanai.web.responses import not_found
from guanai.web.security import SecurityHeaders

STATIC = Path(__file__).parent / "static"


def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        return not_found()
    if error.status_code == 405:
        return PlainTextResponse(
            "不支持该请求方法 / Method Not Allowed\n", status_code=405, headers=error.headers
        )
    return PlainTextResponse(f"{error.status_code}\n", status_code=error.status_code)


def _server_error(request: Request, error: Exception) -> Response:
    return PlainTextResponse("服务器出错 / Internal Server Error\n", status_code=500)


def create_app(ctx: WebContext) -> Starlette:
    """The application on ``ctx``; its engine's connections are released at shutdown."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            ctx.loop_reads.close()
            ctx.engine.dispose()

    return Starlette(
        routes=[
            *feed_routes(ctx),
            *page_routes(ctx),
            Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
        ],
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
        lifespan=lifespan,
    )


def create_app_from_environment() -> Starlette:
    """The uvicorn factory (``guanai.web.app:create_app_from_environment``): one worker's
    application on the settings of the environment, its plugins and its own engine."""
    settings = load_settings()
    set_language(settings.language)
    return create_app(
        WebContext(settings, build_plugin_manager(), make_engine(settings.database_url))
    )
