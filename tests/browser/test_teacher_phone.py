"""A teacher on their phone, in a real browser: open the link, see the tasks, record a talk
(a mistake first), see it done, and the feed change; a revoked link and a forged form."""

from __future__ import annotations

import re

import httpx
import icalendar
from conftest import PHONE, PhoneSchool, guanai
from playwright.sync_api import Page

TALK = "开学首次谈心"


def open_link(phone: Page, school: PhoneSchool) -> None:
    phone.goto(school.url(school.link))
    assert phone.url == school.url("/me")  # the token has left the address bar


def feed(school: PhoneSchool) -> tuple[str, icalendar.Calendar]:
    answer = httpx.get(school.url(school.feed))
    assert answer.status_code == 200
    return answer.headers["etag"], icalendar.Calendar.from_ical(answer.content)


def test_a_teacher_records_a_talk_on_the_phone_and_the_feed_shows_it_done(phone, phone_school):
    etag_before, _ = feed(phone_school)
    open_link(phone, phone_school)
    assert phone.locator("h1").inner_text() == "我的任务"
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]

    phone.get_by_role("link", name=re.compile(TALK)).first.click()
    task_path = phone.url.removeprefix(phone_school.server.url)
    task_id = int(task_path.rsplit("/", 1)[1])
    phone.fill("#field-date", "2026-09-10")
    phone.fill("#field-place", "教室")
    phone.fill("#field-notes", "聊了开学的适应情况")
    phone.get_by_role("button", name="提交记录").click()  # the topic is missing

    error = phone.locator("#error-topics")
    assert "必填" in error.inner_text()
    assert phone.input_value("#field-place") == "教室"  # what was typed is kept
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]

    phone.fill("#field-topics", "学习与生活")
    phone.get_by_role("button", name="提交记录").click()
    assert phone.url == phone_school.url(task_path)
    assert phone.locator(".state").inner_text() == "已完成"
    assert phone.locator("form.record").count() == 0

    etag_after, calendar = feed(phone_school)
    assert etag_after != etag_before
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == f"task-{task_id}@guanai"]
    assert str(event["SUMMARY"]).startswith("【已完成】")
    assert str(event["STATUS"]) == "CONFIRMED"


def test_a_form_posted_without_its_csrf_token_is_refused(phone, phone_school):
    open_link(phone, phone_school)
    phone.get_by_role("link", name=re.compile(TALK)).last.click()
    task_path = phone.url.removeprefix(phone_school.server.url)
    forged = phone.request.post(
        phone_school.url(task_path),
        form={"date": "2026-09-10", "place": "教室", "topics": "学习", "notes": "记录"},
    )  # the phone's own cookie goes with it, the form's hidden token does not
    assert forged.status == 403
    phone.reload()
    assert phone.locator("form.record").count() == 1  # nothing was recorded


def test_the_page_switches_to_english(phone, phone_school):
    open_link(phone, phone_school)
    phone.get_by_role("link", name="English").click()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == "My tasks"


def test_a_revoked_link_is_not_found_and_signs_its_phones_out(phone, phone_school, browser):
    open_link(phone, phone_school)
    guanai(phone_school.database_url, "links", "revoke", str(phone_school.link_id))
    phone.reload()
    assert "重新打开" in phone.content()  # the phone signed in before is signed out
    fresh = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
    try:
        answer = fresh.new_page().goto(phone_school.url(phone_school.link))
        assert answer is not None and answer.status == 404
    finally:
        fresh.close()
