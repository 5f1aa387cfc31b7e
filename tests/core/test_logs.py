"""The daemon's log lines: a reason from elsewhere cannot act on the terminal showing them."""

from __future__ import annotations

import json
import logging

import pytest

from guanai.core.logs import JsonFormatter, TextFormatter

ANSWER = "550 \x1b]0;pwned\x07 mailbox \u202eunavailable"  # as a hostile mail server answers


def record() -> logging.LogRecord:
    entry = logging.LogRecord(
        "guanai.dispatch", logging.WARNING, __file__, 1, "send failed", (), None
    )
    entry.fields = {"outbox_id": 7, "reason": ANSWER}
    return entry


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()], ids=["text", "json"])
def test_control_characters_in_a_logged_reason_are_escaped(formatter) -> None:
    line = formatter.format(record())
    assert "\x1b" not in line and "\x07" not in line and "\u202e" not in line
    assert "\\u001b]0;pwned\\u0007" in line


def test_an_escaped_json_line_still_reads_back_as_the_reason() -> None:
    assert json.loads(JsonFormatter().format(record()))["reason"] == ANSWER
