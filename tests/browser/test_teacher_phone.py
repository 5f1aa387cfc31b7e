"""A teacher on their phone, in a real browser: open the link, see the tasks, record a talk
(with mistakes first), see it done and the feed change; a forged form, English, the 360 px
screen, and links that are revoked or rotated.

``GUANAI_SCREENSHOTS=docs/images`` makes the 360 px test write the screenshots of
docs/teachers.md there (otherwise into the test's temporary directory).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import icalendar
import pytest
from phone_harness import PHONE, PHONE_WIDTH, IssuedLink, PhoneSchool
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow

TALK = re.compile("开学首次谈心")
STATE = re.compile(r"状态\s*│\s*(\S+)")
SAVE = "提交记录"


def open_link(phone: Page, school: PhoneSchool, link: IssuedLink | None = None) -> None:
    answer = phone.goto(school.url((link or school.link).path))
    assert answer is not None and answer.ok
    assert phone.url == school.url("/me")  # the token has left the address bar


def open_talk(phone: Page, school: PhoneSchool, which: int) -> int:
    """Open the ``which``-th talk on the list (-1: the last); its task id."""
    phone.get_by_role("link", name=TALK).nth(which).click()
    found = re.fullmatch(re.escape(school.url("/me/tasks/")) + r"(\d+)", phone.url)
    assert found, phone.url
    return int(found.group(1))


def fits_the_phone(phone: Page) -> bool:
    return phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE_WIDTH


def feed(school: PhoneSchool) -> tuple[str, icalendar.Calendar]:
    answer = httpx.get(school.url(school.feed))
    assert answer.status_code == 200
    return answer.headers["etag"], icalendar.Calendar.from_ical(answer.content)


def state_of(school: PhoneSchool, task_id: int) -> str:
    """The task's state as ``guanai task show`` prints it."""
    found = STATE.search(school.guanai("task", "show", str(task_id)))
    assert found
    return found.group(1)


def test_a_teacher_records_a_talk_on_the_phone_and_the_feed_shows_it_done(
    phone: Page, school: PhoneSchool
) -> None:
    etag_before, _ = feed(school)
    open_link(phone, school)
    assert phone.locator("h1").inner_text() == "我的任务"
    assert phone.locator("section.overdue").get_by_role("link", name=TALK).count() > 0

    task_id = open_talk(phone, school, 0)
    task_url = phone.url
    phone.fill("#field-date", "2026-08-20")  # before the talk's window opens on 09-01
    phone.fill("#field-place", "教室")
    phone.fill("#field-notes", "聊了开学的适应情况")
    phone.get_by_role("button", name=SAVE).click()  # and the topic is left empty

    assert "早于任务开始的日子" in phone.locator("#error-date").inner_text()
    assert "必填" in phone.locator("#error-topics").inner_text()
    assert phone.locator("#field-topics").get_attribute("aria-describedby") == "error-topics"
    assert phone.input_value("#field-date") == "2026-08-20"  # what was typed is kept
    assert phone.input_value("#field-place") == "教室"
    assert phone.input_value("#field-notes") == "聊了开学的适应情况"
    assert state_of(school, task_id) == "逾期"

    phone.fill("#field-date", "2026-09-10")
    phone.fill("#field-topics", "学习与生活")
    phone.get_by_role("button", name=SAVE).click()
    assert phone.url == task_url
    assert phone.locator(".state").inner_text() == "已完成"
    assert phone.locator("form.record").count() == 0
    assert "学习与生活" in phone.locator("section.done").inner_text()
    assert state_of(school, task_id) == "已完成"

    etag_after, calendar = feed(school)
    assert etag_after != etag_before
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == f"task-{task_id}@guanai"]
    assert str(event["SUMMARY"]).startswith("【已完成】")
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == task_url  # the calendar's event opens the task on the phone


def test_a_form_posted_without_its_csrf_token_is_refused_and_records_nothing(
    phone: Page, school: PhoneSchool
) -> None:
    open_link(phone, school)
    task_id = open_talk(phone, school, -1)
    fields = {"date": "2026-09-10", "place": "教室", "topics": "学习", "notes": "记录"}
    # The phone's own session cookie goes with these posts; the form's hidden token does not.
    without = phone.request.post(phone.url, form=fields)
    forged = phone.request.post(phone.url, form={**fields, "_csrf": "x" * 43})
    assert (without.status, forged.status) == (403, 403)
    assert state_of(school, task_id) == "逾期"
    phone.reload()
    assert phone.locator("form.record").count() == 1


def test_the_switch_shows_the_pages_in_english(phone: Page, school: PhoneSchool) -> None:
    open_link(phone, school)
    phone.get_by_role("link", name="English").click()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == "My tasks"
    assert phone.locator("section.overdue h2").inner_text().startswith("Overdue")
    phone.locator("section.overdue a").last.click()
    assert phone.get_by_role("button", name="Save the record").count() == 1


def test_every_page_fits_a_360_px_phone(phone: Page, school: PhoneSchool, tmp_path: Path) -> None:
    shots = Path(os.environ.get("GUANAI_SCREENSHOTS") or tmp_path)
    open_link(phone, school)
    assert fits_the_phone(phone)
    phone.screenshot(path=shots / "teacher-phone-list.png")  # the first screen of the list

    open_talk(phone, school, -1)
    assert fits_the_phone(phone)
    phone.fill("#field-date", "2026-09-10")
    phone.fill("#field-place", "教室")
    phone.fill("#field-notes", "聊了开学的适应情况，想念在外打工的妈妈")
    phone.get_by_role("button", name=SAVE).click()
    assert phone.locator("p.error").count() == 1  # the one field left empty
    assert fits_the_phone(phone)
    phone.screenshot(path=shots / "teacher-phone.png", full_page=True)

    phone.get_by_role("link", name="English").click()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert fits_the_phone(phone)


def test_a_revoked_link_is_not_found_and_signs_its_phones_out(
    phone: Page, school: PhoneSchool, browser: Browser
) -> None:
    link = school.issue_link("T001")
    open_link(phone, school, link)
    school.guanai("links", "revoke", str(link.id))

    answer = phone.reload()  # the phone signed in before the revoke
    assert answer is not None and answer.status == 401
    assert phone.locator("h1").inner_text() == "请重新打开您的链接"
    fresh = browser.new_context(**PHONE)
    try:
        answer = fresh.new_page().goto(school.url(link.path))
        assert answer is not None and answer.status == 404
    finally:
        fresh.close()


def test_a_rotated_link_replaces_the_old_one(
    phone: Page, school: PhoneSchool, browser: Browser
) -> None:
    old = school.issue_link("T002")
    printed = school.guanai("links", "rotate", str(old.id))
    (new_path,) = re.findall(r"/t/[A-Za-z0-9_-]{43}", printed)
    answer = phone.goto(school.url(old.path))
    assert answer is not None and answer.status == 404
    open_link(phone, school, IssuedLink(old.id, new_path))
