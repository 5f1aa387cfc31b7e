"""A teacher's pages on their phone: signing in with their link, their tasks, a step's form.

``GET /t/<token>`` opens a session from the teacher's personal link and sends the phone on to
``/me`` with the session in an HttpOnly cookie, so the link's token leaves the address bar and
the history. Every page after that acts as the link's account through the service, under the
one access rule: the agenda of ``/me``, a task and its step's form at ``/me/tasks/<id>``,
recording it by posting that form (the same validation and messages as ``guanai complete``,
the record audited under the teacher's account).

A page without a live session (no cookie, or its session expired, ended or its link revoked:
the lookup cannot tell them apart, and the page does not try) answers 401 with one short page
asking to open the link again, and drops the stale cookie. An unknown or revoked link, and a
task that is not the teacher's, answer the one 404. Every form carries the session's CSRF
token; a post without it, or with another, is refused (403) before anything is read or
written. The session's lookup, one indexed query, runs on the event loop's own connection
(:mod:`guanai.web.loop_reads`); every other database call runs in a worker thread (the
service is synchronous).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from guanai.core.access import AccessError
from guanai.core.agenda import Agenda, AgendaItem
from guanai.core.dashboard_data.child_tasks import STATES
from guanai.core.errors import GuanaiError, NotFoundError
from guanai.core.i18n import Label, Language
from guanai.core.schools import SCHOOL_TIMEZONE
from guanai.core.secret_tokens import well_formed
from guanai.core.task_detail import TaskDetail
from guanai.core.teacher_links import SESSION_LIFETIME, SignedIn, csrf_matches, csrf_token
from guanai.web.context import WebContext
from guanai.web.forms import CSRF_FIELD, DAY_OFF_FIELD, Refusal, form_inputs, refusal, typed_values
from guanai.web.language import page_language, remember_switch
from guanai.web.responses import client_address, not_found, too_many_guesses

SESSION_COOKIE = "guanai_session"
SESSION_COOKIE_AGE = int(SESSION_LIFETIME.total_seconds())
MAX_FORM_FIELDS = 100
PAGE_LIMIT = 30
"""Tasks listed per section of a phone's agenda, the earliest first; the rest are counted. A
phone screen shows about eight; thirty is more than a day's work, and a head teacher's week
of talks (hundreds) would make a page too long to scroll and too slow to build: the busiest
teacher's page took about 9 ms with 100 a section."""
"""A step has a handful of fields: a form with more is not one of ours."""

TEMPLATES = Environment(
    loader=PackageLoader("guanai.web", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Phone:
    """A signed-in phone: its session's token (for the CSRF token) and whom it acts as."""

    token: str
    who: SignedIn


def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """``template`` in the request's language, never cached; a language switch remembered."""
    language = page_language(request)

    def t(zh: str, en: str) -> str:
        return en if language == "en" else zh

    def tr(label: Label) -> str:
        return label.get(language)

    html = TEMPLATES.get_template(template).render(
        lang=language, t=t, tr=tr, path=request.url.path, **values
    )
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    remember_switch(request, response)
    return response


def _again(request: Request) -> Response:
    response = render(request, "again.html", status=401)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _forbidden(request: Request) -> Response:
    return render(request, "expired_form.html", status=403)


def _split(agenda: Agenda, today: date) -> dict[str, list[AgendaItem]]:
    """The open tasks of today (and earlier, still open in their window) and of the days
    after, apart from the overdue ones."""
    return {
        "overdue": agenda.overdue,
        "today": [item for item in agenda.upcoming if item.day <= today],
        "week": [item for item in agenda.upcoming if item.day > today],
    }


class TeacherPages:
    """The routes of a teacher's phone, on one worker's context."""

    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/t/{token}", self.sign_in, methods=["GET"]),
            Route("/me", self.agenda, methods=["GET"]),
            Route("/me/tasks/{task_id:int}", self.task, methods=["GET"]),
            Route("/me/tasks/{task_id:int}", self.record, methods=["POST"]),
            Route("/me/sign-out", self.sign_out, methods=["POST"]),
        ]

    # -- signing in and out ----------------------------------------------------------------

    async def sign_in(self, request: Request) -> Response:
        client = client_address(request)
        if self.ctx.guesses.blocked(client):
            return too_many_guesses()
        session_token = await run_in_threadpool(
            self.ctx.phones.sign_in, request.path_params["token"]
        )
        if session_token is None:
            self.ctx.guesses.failed(client)
            return not_found()
        response = RedirectResponse("/me", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            session_token,
            max_age=SESSION_COOKIE_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    async def _phone(self, request: Request) -> Phone | Response:
        """The signed-in phone of ``request``, or the answer to give instead: 401 without a
        live session, 429 to a client that keeps presenting unknown ones."""
        token = request.cookies.get(SESSION_COOKIE)
        if token is None:
            return _again(request)
        client = client_address(request)
        if self.ctx.guesses.blocked(client):
            return too_many_guesses()
        who = (
            self.ctx.loop_reads.run(lambda connection: self.ctx.phones.signed_in(token, connection))
            if well_formed(token)
            else None
        )
        if who is None:
            self.ctx.guesses.failed(client)
            return _again(request)
        return Phone(token, who)

    async def _posted(self, request: Request) -> tuple[str, dict[str, Any]] | Response:
        """A form posted with its session's CSRF token, before anything is looked up: its
        session token and fields, or 403."""
        token = request.cookies.get(SESSION_COOKIE)
        form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
        sent = form.get(CSRF_FIELD)
        if token is None or not well_formed(token) or not isinstance(sent, str):
            return _forbidden(request)
        if not csrf_matches(token, sent):
            return _forbidden(request)
        return token, dict(form)

    async def sign_out(self, request: Request) -> Response:
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        await run_in_threadpool(self.ctx.phones.sign_out, posted[0])
        response = render(request, "signed_out.html")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # -- the pages -------------------------------------------------------------------------

    async def agenda(self, request: Request) -> Response:
        phone = await self._phone(request)
        if isinstance(phone, Response):
            return phone
        service = self.ctx.service_for(phone.who.account_name)
        plate = await run_in_threadpool(lambda: service.agenda(limit=PAGE_LIMIT))
        today = self.ctx.clock().astimezone(SCHOOL_TIMEZONE).date()
        return render(
            request,
            "agenda.html",
            lists=_split(plate, today),
            more_overdue=plate.overdue_total - len(plate.overdue),
            more_upcoming=plate.upcoming_total - len(plate.upcoming),
            states=STATES,
            today=today,
            csrf=csrf_token(phone.token),
        )

    def _detail(self, who: SignedIn, task_id: int) -> TaskDetail | None:
        """The task as the teacher may see it; None when it is none of theirs (or none)."""
        try:
            return self.ctx.service_for(who.account_name).task(task_id)
        except (AccessError, NotFoundError):
            return None

    async def task(self, request: Request) -> Response:
        phone = await self._phone(request)
        if isinstance(phone, Response):
            return phone
        detail = await run_in_threadpool(self._detail, phone.who, request.path_params["task_id"])
        if detail is None:
            return not_found()
        return self._task_page(request, phone, detail, {}, None)

    async def record(self, request: Request) -> Response:
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        phone = await self._phone(request)
        if isinstance(phone, Response):
            return phone
        task_id: int = request.path_params["task_id"]
        detail = await run_in_threadpool(self._detail, phone.who, task_id)
        if detail is None:
            return not_found()
        values = typed_values(detail.fields, posted[1])
        service = self.ctx.service_for(phone.who.account_name)
        try:
            await run_in_threadpool(
                lambda: service.complete(
                    task_id, dict(values), day_off_ok=posted[1].get(DAY_OFF_FIELD) == "yes"
                )
            )
        except (AccessError, NotFoundError):
            return not_found()
        except GuanaiError as error:
            refused = refusal(error, page_language(request))
            return self._task_page(request, phone, detail, values, refused, status=422)
        return RedirectResponse(f"/me/tasks/{task_id}", status_code=303)

    def _task_page(
        self,
        request: Request,
        phone: Phone,
        detail: TaskDetail,
        values: dict[str, str],
        refused: Refusal | None,
        status: int = 200,
    ) -> Response:
        language: Language = page_language(request)
        recorded_at = (
            detail.recorded_at.astimezone(SCHOOL_TIMEZONE).strftime("%Y-%m-%d %H:%M")
            if detail.recorded_at is not None
            else None
        )
        return render(
            request,
            "task.html",
            status=status,
            task=detail,
            recorded_at=recorded_at,
            inputs=form_inputs(detail.fields, values, refused.reasons if refused else {}, language),
            refused=refused,
            csrf=csrf_token(phone.token),
        )


def page_routes(ctx: WebContext) -> list[BaseRoute]:
    """The teacher's pages: ``/t/<token>``, ``/me``, ``/me/tasks/<id>``, ``/me/sign-out``."""
    return TeacherPages(ctx).routes()
