"""Clean text: which characters a field refuses, and how data is shown on a terminal."""

from __future__ import annotations

import json

import pytest

from guanai.core.text import UnsafeText, clean_text, terminal_safe

REFUSED_EVERYWHERE = {
    "NUL": "\x00",
    "ESC": "\x1b",
    "BEL": "\x07",
    "backspace": "\x08",
    "DEL": "\x7f",
    "CSI (C1)": "\x9b",
    "line separator": "\u2028",
    "right-to-left override": "\u202e",
    "first strong isolate": "\u2068",
}


@pytest.mark.parametrize("character", REFUSED_EVERYWHERE.values(), ids=REFUSED_EVERYWHERE.keys())
@pytest.mark.parametrize("multiline", [False, True], ids=["one line", "multi-line"])
def test_control_and_invisible_formatting_characters_are_refused_naming_their_code(
    character: str, multiline: bool
) -> None:
    with pytest.raises(UnsafeText) as refused:
        clean_text(f"王{character}五", multiline=multiline)
    code = f"U+{ord(character):04X}"
    assert code in refused.value.reason.zh and code in refused.value.reason.en


def test_bytes_that_were_not_utf8_are_refused_as_such() -> None:
    undecodable = b"\xff".decode("utf-8", "surrogateescape")  # as Python reads a bad argv
    with pytest.raises(UnsafeText, match="not valid UTF-8"):
        clean_text(f"王{undecodable}五")


@pytest.mark.parametrize("character", ["\t", "\n", "\r\n"])
def test_tab_and_line_breaks_are_refused_in_one_line_and_kept_in_multi_line_text(
    character: str,
) -> None:
    with pytest.raises(UnsafeText, match="one line"):
        clean_text(f"第一行{character}第二行")
    kept = clean_text(f"第一行{character}第二行", multiline=True)
    assert kept == f"第一行{character.replace(chr(13), '')}第二行", "CR LF is kept as LF"


def test_a_carriage_return_is_a_line_break_in_one_line_and_refused_alone_in_multi_line() -> None:
    with pytest.raises(UnsafeText, match="one line"):
        clean_text("第一行\r第二行")
    with pytest.raises(UnsafeText, match="U\\+000D"):
        clean_text("第一行\r第二行", multiline=True)


@pytest.mark.parametrize(
    "text",
    [
        "张三",
        "𠀀𪚥",  # rare characters outside the BMP, as in some names
        "\ue000",  # private use: GB18030 maps some rare characters there
        "O'Brien & 李 [班长] :smile: 100%",
        "emoji 👩‍👧 with a zero-width joiner",
    ],
)
def test_ordinary_text_is_kept_as_it_is(text: str) -> None:
    assert clean_text(text) == text
    assert terminal_safe(text) == text


def test_a_terminal_sees_escape_sequences_as_text() -> None:
    shown = terminal_safe("王\x1b]0;pwned\x07五\u202e\x9b2J\n\tok")
    assert shown == "王\\u001b]0;pwned\\u0007五\\u202e\\u009b2J\n\tok"


def test_escaping_a_json_document_keeps_it_valid_json() -> None:
    document = json.dumps({"name": "王\x9b五\u202e"}, ensure_ascii=False)
    shown = terminal_safe(document)
    assert "\x9b" not in shown and "\u202e" not in shown
    assert json.loads(shown) == {"name": "王\x9b五\u202e"}
