"""Structured logs for the daemon: one JSON object per line, or ``key=value`` text.

Code logs an event name as the message and its facts as ``extra={"fields": {...}}``; the
facts are ids, counts and reasons, never a child's details or a recipient's address. A reason
may come from elsewhere (a mail server's answer): each line has its control characters escaped
(guanai.core.text.terminal_safe), so it cannot act on the terminal showing the log.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from guanai.core.text import terminal_safe


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return terminal_safe(json.dumps(entry, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).isoformat(sep=" ", timespec="seconds")
        facts = " ".join(f"{k}={v}" for k, v in getattr(record, "fields", {}).items())
        line = f"{stamp} {record.levelname:<7} {record.getMessage()} {facts}".rstrip()
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return terminal_safe(line)


def configure_logging(kind: str, level: int = logging.INFO) -> None:
    """Send guanai's logs to stderr in ``kind`` (``json`` or ``text``) format."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if kind == "json" else TextFormatter())
    logger = logging.getLogger("guanai")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
