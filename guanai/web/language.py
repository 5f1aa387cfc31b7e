"""The language of a teacher's page: Chinese unless the phone asks for English.

Per request, not the process-wide setting of :mod:`guanai.core.i18n` (one worker serves
teachers in both languages at once). In order: the page's visible switch (``?lang=en`` or
``?lang=zh``, remembered in the ``guanai_lang`` cookie), that cookie, the browser's
``Accept-Language`` when it ranks English above Chinese, else Chinese.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from guanai.core.i18n import LANGUAGES, Language

LANGUAGE_COOKIE = "guanai_lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
"""A year: the choice is the teacher's, not a secret."""


def _chosen(value: str | None) -> Language | None:
    return value if value in LANGUAGES else None  # type: ignore[return-value]


def switched_to(request: Request) -> Language | None:
    """The language the page's switch asks for (``?lang=``), if any."""
    return _chosen(request.query_params.get("lang"))


def _quality(part: str) -> tuple[str, float]:
    tag, _, rest = part.strip().partition(";")
    quality = 1.0
    for parameter in rest.split(";"):
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
    return tag.strip().lower(), quality


def preferred(accept_language: str) -> Language:
    """English when ``accept_language`` ranks some English above every Chinese (a missing
    one ranks 0); Chinese otherwise, and for a header that names neither."""
    best = {"zh": 0.0, "en": 0.0}
    for part in accept_language.split(",")[:20]:  # a browser sends a handful
        tag, quality = _quality(part)
        primary = tag.split("-")[0]
        if primary in best:
            best[primary] = max(best[primary], quality)
    return "en" if best["en"] > best["zh"] else "zh"


def page_language(request: Request) -> Language:
    """The language to answer ``request`` in."""
    return (
        switched_to(request)
        or _chosen(request.cookies.get(LANGUAGE_COOKIE))
        or preferred(request.headers.get("accept-language", ""))
    )


def remember_switch(request: Request, response: Response) -> None:
    """Keep the switch's choice for the next pages, when the request made one."""
    language = switched_to(request)
    if language is not None:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=LANGUAGE_COOKIE_AGE,
            path="/",
            samesite="lax",
            httponly=True,
            secure=request.url.scheme == "https",
        )
