"""Where a feed is fetched: the token-bearing path, links on a configured base URL, and\nthe QR code a phone scans to subscribe."""

from __future__ import annotations

import io
import ipaddress
from urllib.parse import urlsplit

from guanai.core.i18n import Label

LOOPBACK_NOTE = Label(
    "注意：这是本机地址，只有这台电脑能打开，教师的手机扫码打不开。",
    "note: this is a loopback address: only this computer opens it, a teacher's phone cannot.",
)


def feed_path(token: str) -> str:
    """The path ``guanai serve`` answers a feed at: it holds the token, so it is the secret."""
    return f"/feeds/{token}.ics"


def feed_urls(base_url: str, token: str) -> tuple[str, str]:
    """The https (or http) URL of a feed on ``base_url`` and its webcal:// twin."""
    url = base_url.rstrip("/") + feed_path(token)
    return url, "webcal://" + url.split("://", 1)[1]


def qr_text(url: str, border: int = 2) -> str:
    """A QR code of ``url`` in Unicode half blocks, to scan from the terminal (``border``:
    quiet-zone modules around it; the dashboard's 80x24 modal uses 1)."""
    import qrcode  # only where a code is drawn

    code = qrcode.QRCode(border=border, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(url)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue()


def is_loopback(url: str) -> bool:
    """Whether ``url`` points at the computer it is opened on (a phone scanning it reaches
    only itself): localhost, 127.x, ::1."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
