"""The ceiling of guanai's web stack on this machine: Starlette on uvicorn answering from memory.

benchmarks/feeds.py runs it beside ``guanai serve``, with the same workers and HTTP parser,
on the files ``guanai export-ics`` wrote (``BARE_ASGI_DIR``): ``GET /<slug>.ics`` answers the
file's bytes, or 304 when ``If-None-Match`` names its ETag. No token, no database, no headers
beyond those: what a Python ASGI server does when it does nothing else, so the figures show
how much of the distance to nginx is the stack's and how much is guanai's.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FILES = {
    path.name: (path.read_bytes(), '"' + hashlib.sha256(path.read_bytes()).hexdigest() + '"')
    for path in Path(os.environ["BARE_ASGI_DIR"]).glob("*.ics")
}


async def feed(request: Request) -> Response:
    found = FILES.get(request.path_params["name"])
    if found is None:
        return Response(status_code=404)
    body, etag = found
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, headers={"ETag": etag}, media_type="text/calendar")


app = Starlette(routes=[Route("/{name}", feed)])
