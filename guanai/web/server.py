"""Running the web application: uvicorn, configured so that nothing secret leaks and bursts fit.

- The listening socket is bound here, with a backlog of :data:`BACKLOG` (a class's phones
  opening a reminder at once must queue, not be refused), before any worker starts: so
  ``--port 0`` knows its port, and the one "listening" line is true when it is printed
  (connections queue in the backlog until a worker takes them).
- Several workers share that socket (uvicorn's supervisor, each worker calling
  :func:`guanai.web.app.create_app_from_environment`: one engine per process).
- No access log (a request line holds a feed's or a link's token) and no ``Server`` header;
  every log record passes :class:`RedactTokens` anyway, message and traceback.
- uvicorn's httptools protocol: an HTTP/0.9 request and any malformed one get a fixed 400
  that echoes nothing; a client that disconnects mid-answer ends its request silently.
- Proxy headers (``X-Forwarded-For``, ``X-Forwarded-Proto``) are honoured only from the
  addresses given (``--forwarded-allow-ips``), from none by default.
"""

from __future__ import annotations

import logging
import re
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "guanai.web.app:create_app_from_environment"
BACKLOG = 2048

TOKEN_PATH = re.compile(r"/(feeds|t)/[^\s/?\"']+")
BARE_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")


def redact(text: str) -> str:
    """``text`` with every token-bearing path (``/feeds/…``, ``/t/…``) and every bare
    token-shaped word replaced by a placeholder."""
    return BARE_TOKEN.sub("<token>", TOKEN_PATH.sub(r"/\1/<token>", text))


class RedactTokens(logging.Filter):
    """Rewrites a record's message and traceback without tokens before any handler prints it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": RedactTokens}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (0: any free port) and listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(sock: socket.socket, *, workers: int, forwarded_allow_ips: list[str]) -> None:
    """Serve the application on ``sock`` until SIGINT or SIGTERM; returns when stopped."""
    config = uvicorn.Config(
        APP,
        factory=True,
        http="httptools",
        workers=workers,
        backlog=BACKLOG,
        server_header=False,
        access_log=False,
        log_config=LOG_CONFIG,
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips or [],
        timeout_graceful_shutdown=10,
    )
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])
