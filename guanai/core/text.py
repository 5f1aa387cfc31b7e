"""Clean text: the characters no field accepts, and data shown safely on a terminal.

A value typed or imported into guanai may not hold characters that are invisible or that act
on the screen showing them:

- control characters: C0 (among them NUL, which PostgreSQL cannot store, and ESC, which starts
  a terminal escape sequence), DEL and C1 (among them CSI, U+009B);
- the line and paragraph separators U+2028 and U+2029;
- the bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069),
  which reorder what is shown ("Trojan source");
- lone surrogates: bytes that were not valid UTF-8 (as Python decodes a bad command line).

A multi-line field (notes, a summary) also accepts tab and line feed, and its Windows line
ends (CR LF) are stored as LF; a one-line field accepts neither.

Text stored before these checks, and text from elsewhere (a server's answer, a file's header,
a plugin's error), may still hold such characters: :func:`terminal_safe` shows each as
``\\uXXXX`` and is applied to whatever the command line prints.
"""

from __future__ import annotations

import re

from guanai.core.i18n import Label

_UNSAFE = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_REFUSED_IN_ONE_LINE = re.compile(rf"[\t\n{_UNSAFE}]")
_REFUSED_IN_MULTI_LINE = re.compile(rf"[{_UNSAFE}]")
_SHOWN_ESCAPED = _REFUSED_IN_MULTI_LINE

NOT_UTF8 = Label("含有无效的字节（不是 UTF-8 文本）", "holds bytes that are not valid UTF-8 text")
ONE_LINE = Label(
    "只能填一行，不能含换行符或制表符", "must be one line, without line breaks or tabs"
)


class UnsafeText(ValueError):
    """Text holding a character no field accepts; ``reason`` names it, never the text."""

    def __init__(self, reason: Label) -> None:
        super().__init__(reason.en)
        self.reason = reason


def clean_text(text: str, *, multiline: bool = False) -> str:
    """``text`` as it is stored, or :class:`UnsafeText` if it holds a refused character.

    In multi-line text, CR LF becomes LF (a lone CR is refused).
    """
    if multiline:
        text = text.replace("\r\n", "\n")
    found = (_REFUSED_IN_MULTI_LINE if multiline else _REFUSED_IN_ONE_LINE).search(text)
    if found is None:
        return text
    if not multiline and found.group() in "\t\n\r":
        raise UnsafeText(ONE_LINE)
    if "\ud800" <= found.group() <= "\udfff":
        raise UnsafeText(NOT_UTF8)
    code = f"U+{ord(found.group()):04X}"
    raise UnsafeText(
        Label(
            f"含有不允许的字符 {code}（控制字符或不可见的格式字符）",
            f"holds a character that is not allowed: {code} "
            "(a control or invisible formatting character)",
        )
    )


def terminal_safe(text: str) -> str:
    """``text`` with every character that could act on a terminal shown as ``\\uXXXX``.

    Tab and line feed are kept. Inside a JSON document the escapes are JSON's own, so the
    document stays valid.
    """
    return _SHOWN_ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_FULL_WIDTH = "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ－／．：（）＋\u3000"
_HALF_WIDTH = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-/.:()+ "
_TO_HALF_WIDTH = str.maketrans(_FULL_WIDTH, _HALF_WIDTH)


def half_width(text: str) -> str:
    """``text`` with full-width digits, letters, －／．：（）＋ and the ideographic space as their
    ASCII forms: what a Chinese input method types in a number, an ID, a phone or a date
    (２０２６２２０３１ is 202622031). Everything else is kept."""
    return text.translate(_TO_HALF_WIDTH)
