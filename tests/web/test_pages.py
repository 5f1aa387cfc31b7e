"""A teacher's pages on their phone: signing in with the link, the agenda, a step's form,
recording through the service (its messages, as the teacher's account), CSRF, sign-out,
revocation, the language, and no private detail on any page."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from sqlalchemy import func, select
from starlette.testclient import TestClient
from web_samples import HEAD_TEACHER, PAIRING_TEACHER, PhoneSchool, pages_app, signed_in

from guanai.core.activity import DayOffError, RecordProblems
from guanai.core.db import transaction
from guanai.core.models import Activity, AuditEvent, Child, Record, Task, Teacher
from guanai.core.record_days import DAY_OFF_MARK
from guanai.core.teacher_links import csrf_token
from guanai.web.guesses import GuessLimiter
from guanai.web.pages import SESSION_COOKIE
from guanai.web.responses import NOT_FOUND_BODY

TALK = {"date": "2026-09-18", "place": "教室", "topics": "学习和生活", "notes": "聊了期中的打算"}


class Inputs(HTMLParser):
    """The form controls of a page, as a browser's parser reads them."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("input", "textarea", "select"):
            self.controls.append({"tag": tag, **dict(attrs)})

    def named(self, name: str) -> list[dict[str, str | None]]:
        return [control for control in self.controls if control.get("name") == name]


def escaped(text: str) -> str:
    """``text`` as the page's templates write it."""
    return str(escape(text))


def csrf(client: TestClient) -> str:
    return csrf_token(client.cookies[SESSION_COOKIE])


def records(school: PhoneSchool) -> int:
    with transaction(school.engine) as session:
        return session.scalar(select(func.count()).select_from(Record)) or 0


def post_talk(client: TestClient, task_id: int, **record: str) -> object:
    return client.post(f"/me/tasks/{task_id}", data={"_csrf": csrf(client), **record})


def service_error(school: PhoneSchool, task_id: int, record: dict[str, str]) -> Exception:
    """What the service itself raises for ``record``, as ``guanai complete`` shows it."""
    teacher = school.ctx.service_for(f"DEMO-{PAIRING_TEACHER}")
    with pytest.raises((RecordProblems, DayOffError)) as raised:
        teacher.complete(task_id, record)
    return raised.value


# -- signing in ---------------------------------------------------------------------------


def test_opening_the_link_sets_the_session_cookie_and_leaves_the_address_bar(
    school: PhoneSchool, phone: TestClient
):
    token = school.tokens[PAIRING_TEACHER]
    answer = phone.get(f"/t/{token}")
    assert answer.status_code == 303 and answer.headers["location"] == "/me"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and token not in cookie
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/", "max-age=2592000"} <= flags
    assert "secure" not in flags
    with TestClient(
        pages_app(school.ctx), base_url="https://testserver", follow_redirects=False
    ) as over_https:
        secure = over_https.get(f"/t/{token}").headers["set-cookie"].lower()
    assert "; secure" in secure


def test_an_unknown_link_is_the_one_404_and_a_guesser_is_refused_before_any_lookup(
    school: PhoneSchool, phone: TestClient
):
    school.ctx.guesses = GuessLimiter(burst=2, per_minute=0.0)
    for _ in range(2):
        answer = phone.get("/t/" + "A" * 43)
        assert answer.status_code == 404 and answer.text == NOT_FOUND_BODY
        assert "set-cookie" not in answer.headers
    assert phone.get(f"/t/{school.tokens[PAIRING_TEACHER]}").status_code == 429


def test_without_a_session_every_page_asks_to_open_the_link_again(phone: TestClient):
    for path in ("/me", "/me/tasks/1"):
        answer = phone.get(path)
        assert answer.status_code == 401 and "请重新打开您的链接" in answer.text
    phone.cookies.set(SESSION_COOKIE, "not-a-session")
    assert phone.get("/me").status_code == 401


# -- the agenda ---------------------------------------------------------------------------


def test_the_agenda_lists_the_teachers_own_tasks_by_childs_name(
    school: PhoneSchool, phone: TestClient
):
    signed_in(phone, school)
    page = phone.get("/me")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert '<html lang="zh-CN">' in page.text and 'name="viewport"' in page.text
    today = school.ctx.clock().date()
    with transaction(school.engine) as session:
        mine = session.execute(
            select(Task.id, Task.scheduled_on, Child.name)
            .join(Teacher, Teacher.id == Task.assignee_id)
            .join(Child, Child.id == Task.child_id)
            .where(Teacher.code == PAIRING_TEACHER, Task.state.in_(("due", "pending")))
            .where(Task.scheduled_on < today + timedelta(days=7))
        ).all()
        theirs = session.scalars(
            select(Task.id)
            .join(Teacher, Teacher.id == Task.assignee_id)
            .where(Teacher.code != PAIRING_TEACHER)
        ).all()
    todays, this_week = page.text.split("今天要做")[1].split("本周")
    assert any(day <= today for _, day, _ in mine), "the sample teacher has talks due"
    for task_id, day, name in mine:
        listed = todays if day <= today else this_week
        assert f'href="/me/tasks/{task_id}"' in listed
        assert name in listed  # the pairing teacher sees their children in full
    assert not any(f'href="/me/tasks/{task_id}"' in page.text for task_id in theirs)
    assert "谈心：帮扶教师谈心" in page.text


# -- the form -----------------------------------------------------------------------------


def test_a_steps_form_has_one_input_per_field_of_its_kind_and_the_csrf_token(
    school: PhoneSchool, phone: TestClient
):
    signed_in(phone, school, HEAD_TEACHER)
    call = school.task_of(HEAD_TEACHER, "family_phone")
    form = Inputs(phone.get(f"/me/tasks/{call}").text)
    (day,) = form.named("date")
    (minutes,) = form.named("duration_minutes")
    (notes,) = form.named("notes")
    spoke_with = form.named("who_called")
    assert day["type"] == "date" and minutes["type"] == "number" and notes["tag"] == "textarea"
    assert [(c["type"], c["value"]) for c in spoke_with] == [
        ("radio", choice) for choice in ("父亲", "母亲", "父母", "其他")
    ]
    (token,) = form.named("_csrf")
    assert token["type"] == "hidden" and token["value"] == csrf(phone)
    assert not any("required" in control for control in form.controls)


def test_a_mistake_shows_the_services_message_beside_its_field_keeping_what_was_typed(
    school: PhoneSchool, phone: TestClient
):
    signed_in(phone, school)
    talk = school.task_of(PAIRING_TEACHER, "talk")
    mistaken = {**TALK, "date": "2026-09-22", "topics": ""}  # tomorrow, and no topics
    error = service_error(school, talk, mistaken)
    assert isinstance(error, RecordProblems)
    answer = post_talk(phone, talk, **mistaken)
    assert answer.status_code == 422
    assert escaped(error.label.zh) in answer.text
    for field, reason in error.reasons().items():
        assert f'id="error-{field}">{escaped(reason.zh)}</p>' in answer.text
    form = Inputs(answer.text)
    assert form.named("place")[0]["value"] == "教室"
    assert form.named("date")[0]["value"] == "2026-09-22"
    assert ">聊了期中的打算</textarea>" in answer.text
    assert records(school) == 0


def test_fixing_it_records_the_talk_as_the_teachers_account_and_shows_it_done(
    school: PhoneSchool, phone: TestClient
):
    signed_in(phone, school)
    talk = school.task_of(PAIRING_TEACHER, "talk")
    assert post_talk(phone, talk, **{**TALK, "topics": ""}).status_code == 422
    answer = post_talk(phone, talk, **TALK)
    assert answer.status_code == 303 and answer.headers["location"] == f"/me/tasks/{talk}"
    page = phone.get(f"/me/tasks/{talk}").text
    assert "已完成" in page and "DEMO-T014" in page and "学习和生活" in page
    assert 'name="_csrf"' not in page.split("</header>")[1].split("已完成")[1]
    with transaction(school.engine) as session:
        task = session.get_one(Task, talk)
        record = session.scalars(select(Record).where(Record.task_id == talk)).one()
        audit = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == talk)).one()
        assert task.state == "done" and task.completed_by == "DEMO-T014"
        assert record.recorded_by == audit.actor == "DEMO-T014"
        assert record.data["place"] == "教室"


def test_a_day_off_is_saved_only_once_confirmed_with_the_checkbox(
    school: PhoneSchool, phone: TestClient
):
    signed_in(phone, school)
    talk = school.task_of(PAIRING_TEACHER, "talk")
    saturday = {**TALK, "date": "2026-09-19"}
    error = service_error(school, talk, saturday)
    assert isinstance(error, DayOffError)
    refused = post_talk(phone, talk, **saturday)
    assert refused.status_code == 422 and escaped(error.label.zh) in refused.text
    (confirm,) = Inputs(refused.text).named("_day_off_ok")
    assert confirm["type"] == "checkbox" and "确认是在休息日完成" in refused.text
    assert records(school) == 0
    assert post_talk(phone, talk, **saturday, _day_off_ok="yes").status_code == 303
    with transaction(school.engine) as session:
        data = session.scalars(select(Record.data).where(Record.task_id == talk)).one()
    assert data[DAY_OFF_MARK] == ["date"]


def test_a_done_tasks_record_reads_in_the_pages_language(school: PhoneSchool, phone: TestClient):
    signed_in(phone, school)
    talk = school.task_of(PAIRING_TEACHER, "talk")
    saturday = {**TALK, "date": "2026-09-19"}
    assert post_talk(phone, talk, **saturday, _day_off_ok="yes").status_code == 303
    english = phone.get(f"/me/tasks/{talk}", headers={"Accept-Language": "en"}).text
    assert "2026-09-19 (not a school day, confirmed)" in english and "非上学日" not in english
    chinese = phone.get(f"/me/tasks/{talk}", headers={"Accept-Language": "zh-CN"}).text
    assert "2026-09-19（非上学日，已确认）" in chinese


# -- refusals -----------------------------------------------------------------------------


def test_a_post_without_its_csrf_token_or_with_another_is_refused_and_writes_nothing(
    school: PhoneSchool, phone: TestClient
):
    signed_in(phone, school)
    talk = school.task_of(PAIRING_TEACHER, "talk")
    with TestClient(pages_app(school.ctx), follow_redirects=False) as other_phone:
        signed_in(other_phone, school)
        others = csrf(other_phone)
    for token in (None, "", "0" * 64, others):
        data = TALK if token is None else {**TALK, "_csrf": token}
        answer = phone.post(f"/me/tasks/{talk}", data=data)
        assert answer.status_code == 403 and "表单已失效" in answer.text
    assert phone.post("/me/sign-out", data={}).status_code == 403
    assert records(school) == 0 and phone.get("/me").status_code == 200


def test_another_teachers_task_is_the_404_to_read_and_to_record(
    school: PhoneSchool, phone: TestClient
):
    signed_in(phone, school)
    theirs = school.task_of(HEAD_TEACHER, "talk")
    for task_id in (theirs, 999_999):
        assert phone.get(f"/me/tasks/{task_id}").text == NOT_FOUND_BODY
        answer = post_talk(phone, task_id, **TALK)
        assert answer.status_code == 404 and answer.text == NOT_FOUND_BODY
    assert records(school) == 0


def test_a_revoked_link_is_404_and_the_phones_session_ends_with_it(
    school: PhoneSchool, phone: TestClient
):
    signed_in(phone, school)
    assert phone.get("/me").status_code == 200
    school.coordinator.revoke_teacher_link(school.link_ids[PAIRING_TEACHER])
    assert phone.get(f"/t/{school.tokens[PAIRING_TEACHER]}").text == NOT_FOUND_BODY
    answer = phone.get("/me")
    assert answer.status_code == 401 and "请重新打开您的链接" in answer.text
    assert answer.headers["set-cookie"].startswith(f'{SESSION_COOKIE}=""')


def test_signing_out_ends_the_session(school: PhoneSchool, phone: TestClient):
    signed_in(phone, school)
    session_token = phone.cookies[SESSION_COOKIE]
    answer = phone.post("/me/sign-out", data={"_csrf": csrf(phone)})
    assert answer.status_code == 200 and "已退出" in answer.text
    phone.cookies.set(SESSION_COOKIE, session_token)  # a copy of the old cookie
    assert phone.get("/me").status_code == 401


# -- language -----------------------------------------------------------------------------


def test_english_when_the_browser_prefers_it_and_by_the_switch(
    school: PhoneSchool, phone: TestClient
):
    signed_in(phone, school)
    english = {"Accept-Language": "en-GB,en;q=0.9,zh-CN;q=0.5"}
    chinese = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
    page = phone.get("/me", headers=english).text
    assert '<html lang="en">' in page and "To do today" in page and "今天要做" not in page
    assert "今天要做" in phone.get("/me", headers=chinese).text
    switched = phone.get("/me?lang=en")
    assert "To do today" in switched.text and phone.cookies["guanai_lang"] == "en"
    assert "To do today" in phone.get("/me", headers=chinese).text  # the switch wins
    phone.get("/me?lang=zh")
    assert "今天要做" in phone.get("/me", headers=english).text
    talk = school.task_of(PAIRING_TEACHER, "talk")
    phone.get("/me?lang=en")
    mistaken = {**TALK, "topics": ""}
    error = service_error(school, talk, mistaken)
    answer = post_talk(phone, talk, **mistaken)
    assert escaped(error.label.en) in answer.text and "Save the record" in answer.text


# -- privacy ------------------------------------------------------------------------------


def test_no_page_shows_an_id_number_a_phone_or_an_address(school: PhoneSchool):
    private = school.private_details()
    assert len(private) > 30
    pages: list[str] = []
    for teacher in (PAIRING_TEACHER, HEAD_TEACHER):
        with TestClient(pages_app(school.ctx), follow_redirects=False) as client:
            signed_in(client, school, teacher)
            pages.append(client.get("/me").text)
            with transaction(school.engine) as session:
                theirs = session.scalars(
                    select(Task.id)
                    .join(Activity, Activity.id == Task.activity_id)
                    .join(Teacher, Teacher.id == Task.assignee_id)
                    .where(Teacher.code == teacher, Task.state == "due")
                ).all()
            for task_id in theirs:
                pages.append(client.get(f"/me/tasks/{task_id}").text)
                pages.append(post_talk(client, task_id, topics="x").text)
    assert len(pages) > 8
    leaked = {value for value in private for page in pages if value in page}
    assert leaked == set()


def test_the_stylesheet_is_served_for_the_pages(phone: TestClient):
    answer = phone.get("/static/guanai.css")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/css")
