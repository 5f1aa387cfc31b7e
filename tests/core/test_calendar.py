"""Specification of term calendars: the shipped terms, school-day arithmetic and error messages.

No database is needed: a calendar is parsed from TOML text alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from guanai.core.calendar import (
    CalendarEntry,
    Holiday,
    MakeupWorkday,
    TermCalendar,
    load_calendar,
    parse_calendar,
    shipped_calendars,
)
from guanai.core.errors import CalendarError
from guanai.core.i18n import Label, set_language

D = date.fromisoformat


@pytest.fixture(scope="module")
def autumn() -> TermCalendar:
    return load_calendar("2026-autumn")


@pytest.fixture(scope="module")
def spring() -> TermCalendar:
    return load_calendar("2027-spring")


# --- the shipped calendars -------------------------------------------------------------------


def test_both_shipped_calendars_are_listed() -> None:
    assert {"2026-autumn", "2027-spring"} <= set(shipped_calendars())


@pytest.mark.parametrize("name", ["2026-autumn", "2027-spring"])
def test_shipped_calendar_loads_by_name_with_its_key_and_bilingual_name(name: str) -> None:
    calendar = load_calendar(name)
    assert calendar.key == name
    assert calendar.name.zh and calendar.name.en
    assert calendar.timezone == "Asia/Shanghai"
    assert calendar.source == shipped_calendars()[name]
    assert calendar.plan, "a shipped calendar has a plan"


@pytest.mark.parametrize("name", ["2026-autumn", "2027-spring"])
def test_shipped_calendar_loads_by_path_too(name: str) -> None:
    calendar = load_calendar(shipped_calendars()[name])
    assert calendar.key == name


@pytest.mark.parametrize("name", ["2026-autumn", "2027-spring"])
def test_shipped_calendar_starts_and_ends_on_a_school_day(name: str) -> None:
    calendar = load_calendar(name)
    assert calendar.is_school_day(calendar.starts_on)
    assert calendar.is_school_day(calendar.ends_on)


def test_autumn_term_runs_from_1_september_2026_to_29_january_2027(autumn: TermCalendar) -> None:
    assert (autumn.starts_on, autumn.ends_on) == (D("2026-09-01"), D("2027-01-29"))


def test_autumn_records_the_2026_state_council_notice(autumn: TermCalendar) -> None:
    assert "国办发明电〔2025〕7号" in autumn.holiday_notices[2026]
    assert 2027 not in autumn.holiday_notices


@pytest.mark.parametrize(
    "day", ["2026-09-25", "2026-09-26", "2026-09-27"], ids=lambda d: f"mid-autumn-{d}"
)
def test_mid_autumn_festival_2026_is_not_a_school_day(autumn: TermCalendar, day: str) -> None:
    assert not autumn.is_school_day(D(day))


@pytest.mark.parametrize("day", [f"2026-10-0{n}" for n in range(1, 8)])
def test_national_day_holiday_1_to_7_october_2026_is_not_a_school_day(
    autumn: TermCalendar, day: str
) -> None:
    assert not autumn.is_school_day(D(day))


@pytest.mark.parametrize("day", ["2026-09-20", "2026-10-10"])
def test_national_day_make_up_workdays_are_weekend_school_days(
    autumn: TermCalendar, day: str
) -> None:
    assert D(day).isoweekday() in (6, 7)
    assert autumn.is_school_day(D(day))


def test_ordinary_weekends_are_not_school_days(autumn: TermCalendar) -> None:
    weekends = [d for d in _days(autumn.starts_on, autumn.ends_on) if d.isoweekday() >= 6]
    assert {d for d in weekends if autumn.is_school_day(d)} == {D("2026-09-20"), D("2026-10-10")}


def test_ordinary_weekdays_are_school_days(autumn: TermCalendar) -> None:
    for day in ["2026-09-28", "2026-09-30", "2026-10-08", "2026-12-31", "2027-01-04"]:
        assert autumn.is_school_day(D(day)), day


def test_days_outside_the_term_are_not_school_days(autumn: TermCalendar) -> None:
    assert not autumn.is_school_day(D("2026-08-31"))
    assert not autumn.is_school_day(D("2027-02-01"))


def test_school_days_are_weekdays_minus_holidays_plus_make_up_workdays(
    autumn: TermCalendar,
) -> None:
    off = {d for h in autumn.holidays for d in h.days()}
    expected = {
        d for d in _days(autumn.starts_on, autumn.ends_on) if d.isoweekday() <= 5 and d not in off
    } | {w.on for w in autumn.workdays}
    assert autumn.school_days() == sorted(expected)


def test_new_year_2027_in_the_autumn_term_is_provisional_and_listed(
    autumn: TermCalendar,
) -> None:
    entry, spring_festival = autumn.provisional_entries  # and 春节, in the winter break
    assert isinstance(entry, Holiday) and spring_festival.name.zh == "春节"
    assert spring_festival.starts_on > autumn.ends_on
    assert entry.name.zh == "元旦"
    assert entry.starts_on == D("2027-01-01")
    assert not autumn.is_school_day(D("2027-01-01"))


def test_official_2026_holidays_and_workdays_are_not_provisional(autumn: TermCalendar) -> None:
    official = [
        e for e in [*autumn.holidays, *autumn.workdays] if e not in autumn.provisional_entries
    ]
    assert {e.name.zh for e in official} == {"中秋节", "国庆节", "国庆节调休上班"}


def test_every_2027_holiday_in_the_spring_term_is_provisional(spring: TermCalendar) -> None:
    assert spring.holiday_notices == {}
    assert spring.holidays, "the spring term has holidays"
    assert all(h.provisional for h in spring.holidays)
    assert set(spring.provisional_entries) == {*spring.holidays, *spring.workdays}


@pytest.mark.parametrize(
    "day", ["2027-04-05", "2027-05-03", "2027-05-04", "2027-05-05", "2027-06-09"]
)
def test_spring_provisional_holidays_are_not_school_days(spring: TermCalendar, day: str) -> None:
    assert not spring.is_school_day(D(day))


def test_autumn_term_has_school_days_from_september_to_january(autumn: TermCalendar) -> None:
    assert [m for _, m in autumn.months()] == [9, 10, 11, 12, 1]
    assert autumn.months()[-1] == (2027, 1)


def test_spring_term_has_school_days_from_february_to_july(spring: TermCalendar) -> None:
    assert spring.months() == [(2027, m) for m in range(2, 8)]


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("2026-autumn", {"welcome_back", "midterm_exams", "final_exams", "new_year"}),
        ("2027-spring", {"welcome_back", "care_week", "midterm_exams", "final_exams"}),
    ],
)
def test_shipped_periods_have_the_keys_the_plan_uses(name: str, keys: set[str]) -> None:
    calendar = load_calendar(name)
    assert set(calendar.periods) == keys
    for period in calendar.periods.values():
        assert calendar.school_days_between(period.starts_on, period.ends_on), period.key


def test_welcome_back_is_the_first_school_week(autumn: TermCalendar) -> None:
    welcome = autumn.periods["welcome_back"]
    assert (welcome.starts_on, welcome.ends_on) == (D("2026-09-01"), D("2026-09-04"))
    assert autumn.period_of(D("2026-09-02")) == welcome
    assert autumn.period_of(D("2026-09-08")) is None


def test_only_exam_periods_have_no_duties(autumn: TermCalendar, spring: TermCalendar) -> None:
    for calendar in (autumn, spring):
        no_duties = {p.key for p in calendar.periods.values() if p.no_duties}
        assert no_duties == {"midterm_exams", "final_exams"}


def test_no_duty_days_are_the_school_days_of_the_exam_periods(autumn: TermCalendar) -> None:
    exams = [autumn.periods["midterm_exams"], autumn.periods["final_exams"]]
    expected = {d for p in exams for d in autumn.school_days_between(p.starts_on, p.ends_on)}
    assert autumn.no_duty_days() == expected
    assert {D("2027-01-18"), D("2027-01-19"), D("2027-01-20")} <= autumn.no_duty_days()
    assert all(autumn.is_school_day(d) for d in autumn.no_duty_days())


@pytest.mark.parametrize("name", ["2026-autumn", "2027-spring"])
def test_every_on_date_in_a_shipped_plan_is_a_school_day(name: str) -> None:
    calendar = load_calendar(name)
    for entry in calendar.plan:
        if entry.schedule.on is not None:
            assert calendar.is_school_day(entry.schedule.on), entry.where


def test_autumn_plan_has_every_activity_of_the_term(autumn: TermCalendar) -> None:
    by_type = {e.activity_type: e.schedule for e in autumn.plan}
    assert set(by_type) == {
        "welcome_back",
        "talk",
        "family_phone",
        "theme_class_meeting",
        "guardian_meeting",
        "home_visit",
        "safety_education",
        "new_year_party",
        "exam_letters",
        *autumn.activities,  # its own: 民族精神月, 给国旗敬礼, ... (test_shipped_programme)
        "child_letter",
        "counselling",
        "mental_health_class",
        "parent_school",
        "symposium",
    }
    assert by_type["welcome_back"].period == "welcome_back"
    assert all(by_type[t].every == "month" for t in ("talk", "family_phone", "theme_class_meeting"))
    assert by_type["new_year_party"].on == D("2026-12-31")
    guardian = by_type["guardian_meeting"]
    assert (guardian.after, guardian.school_days, guardian.length) == ("midterm_exams", 2, 5)
    letters = by_type["exam_letters"]
    assert (letters.after, letters.school_days, letters.length) == ("final_exams", 1, 5)
    assert by_type["home_visit"].between is not None


def test_spring_plan_has_no_new_year_party(spring: TermCalendar) -> None:
    types = {e.activity_type for e in spring.plan}
    assert "new_year_party" not in types
    assert {"guardian_meeting", "safety_education", "home_visit", "exam_letters"} <= types


def test_plan_entries_name_their_place_in_the_file(autumn: TermCalendar) -> None:
    assert [e.where for e in autumn.plan] == [f"plan[{i}]" for i in range(len(autumn.plan))]


# --- school-day arithmetic ---------------------------------------------------------------------


def test_shift_moves_by_school_days_across_the_national_day_holiday(autumn: TermCalendar) -> None:
    assert autumn.shift(D("2026-09-30"), 1) == (D("2026-10-08"), False)
    assert autumn.shift(D("2026-10-08"), -1) == (D("2026-09-30"), False)


def test_shift_counts_a_make_up_workday(autumn: TermCalendar) -> None:
    assert autumn.shift(D("2026-10-09"), 1) == (D("2026-10-10"), False)  # Saturday, 调休
    assert autumn.shift(D("2026-09-18"), 1) == (D("2026-09-20"), False)  # Sunday, 调休


def test_shift_skips_the_provisional_new_year_holiday(autumn: TermCalendar) -> None:
    assert autumn.shift(D("2026-12-31"), 1) == (D("2027-01-04"), False)


def test_shift_by_zero_stays_on_the_day(autumn: TermCalendar) -> None:
    assert autumn.shift(D("2026-11-16"), 0) == (D("2026-11-16"), False)


def test_shift_past_the_last_school_day_is_clamped_and_says_so(autumn: TermCalendar) -> None:
    assert autumn.shift(D("2027-01-27"), 10) == (D("2027-01-29"), True)
    assert autumn.shift(D("2027-01-29"), 1) == (D("2027-01-29"), True)


def test_shift_before_the_first_school_day_is_clamped_and_says_so(autumn: TermCalendar) -> None:
    assert autumn.shift(D("2026-09-02"), -5) == (D("2026-09-01"), True)
    assert autumn.shift(D("2026-09-01"), 0) == (D("2026-09-01"), False)


def test_guardian_meeting_starts_two_school_days_after_the_spring_midterms(
    spring: TermCalendar,
) -> None:
    # The 1st school day after the exams is Friday 30 April; the 2nd is after Labour Day.
    midterm = spring.periods["midterm_exams"]
    assert spring.shift(midterm.ends_on, 2) == (D("2027-05-06"), False)


def test_school_days_between_includes_both_ends(autumn: TermCalendar) -> None:
    days = autumn.school_days_between(D("2026-09-28"), D("2026-10-10"))
    expected = ["2026-09-28", "2026-09-29", "2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10"]
    assert days == [D(d) for d in expected]


def test_a_plugin_holiday_removes_school_days(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL + '[holiday_notices]\n2026 = "通知"\n')

    def add(calendar: TermCalendar, add_entry: Callable[[CalendarEntry], None]) -> None:
        add_entry(Holiday(Label("校庆", "School anniversary"), D("2026-09-10"), D("2026-09-10")))

    calendar = load_calendar(path, add_holidays=add)
    assert not calendar.is_school_day(D("2026-09-10"))
    assert calendar.shift(D("2026-09-09"), 1) == (D("2026-09-11"), False)


def test_a_plugin_guess_for_a_year_without_a_notice_must_be_provisional(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL)

    def add(calendar: TermCalendar, add_entry: Callable[[CalendarEntry], None]) -> None:
        add_entry(MakeupWorkday(Label("调休", "Make-up"), D("2026-09-12")))

    error = _error_of(lambda: load_calendar(path, add_holidays=add))
    assert "plugin holiday 0" in error.label.en
    assert "provisional" in error.label.en


# --- a minimal custom calendar -----------------------------------------------------------------

MINIMAL = """
[term]
key = "test"
name = "测试学期"
name_en = "Test term"
starts_on = 2026-09-01
ends_on = 2026-09-30
"""

PERIOD = """
[[periods]]
key = "exams"
name = "考试"
name_en = "Exams"
starts_on = 2026-09-14
ends_on = 2026-09-15
no_duties = true
"""


def test_a_minimal_calendar_defaults_to_shanghai_and_monday_to_friday(tmp_path: Path) -> None:
    calendar = load_calendar(_write(tmp_path, MINIMAL))
    assert calendar.timezone == "Asia/Shanghai"
    assert calendar.weekdays == frozenset({1, 2, 3, 4, 5})
    assert calendar.holidays == calendar.workdays == calendar.plan == []
    assert len(calendar.school_days()) == 22


def test_school_weekdays_can_include_saturday(tmp_path: Path) -> None:
    text = MINIMAL + "school_weekdays = [1, 2, 3, 4, 5, 6]\n"
    calendar = load_calendar(_write(tmp_path, text))
    assert calendar.is_school_day(D("2026-09-05"))  # Saturday
    assert not calendar.is_school_day(D("2026-09-06"))  # Sunday


def test_a_holiday_in_a_year_with_a_recorded_notice_need_not_be_provisional(
    tmp_path: Path,
) -> None:
    text = MINIMAL + '[holiday_notices]\n2026 = "通知"\n' + _holiday("2026-09-25", "2026-09-27")
    calendar = load_calendar(_write(tmp_path, text))
    assert calendar.provisional_entries == []
    assert not calendar.is_school_day(D("2026-09-25"))


def test_parse_calendar_keeps_the_text_and_source(tmp_path: Path) -> None:
    calendar = parse_calendar(MINIMAL, tmp_path / "x.toml")
    assert calendar.text == MINIMAL
    assert calendar.source == tmp_path / "x.toml"


# --- error messages: each names the file and the key -------------------------------------------


def test_missing_term_start_names_file_and_key(tmp_path: Path) -> None:
    text = MINIMAL.replace("starts_on = 2026-09-01\n", "")
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "term.starts_on")
    assert "is missing" in error.label.en
    assert "缺少" in error.label.zh


def test_missing_term_table_names_the_key(tmp_path: Path) -> None:
    error = _load_error(tmp_path, '[holiday_notices]\n2026 = "通知"\n')
    _assert_names(error, tmp_path, "term")


def test_term_ending_before_it_starts_is_refused(tmp_path: Path) -> None:
    error = _load_error(tmp_path, MINIMAL.replace("2026-09-30", "2026-08-30"))
    _assert_names(error, tmp_path, "term.ends_on")
    assert "before starts_on" in error.label.en


def test_holiday_ending_before_it_starts_names_its_index(tmp_path: Path) -> None:
    text = MINIMAL + _holiday("2026-09-25", "2026-09-24", provisional=True)
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "holidays[0].ends_on")
    assert "before starts_on" in error.label.en


def test_second_holiday_is_named_by_its_index(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + _holiday("2026-09-10", "2026-09-10", provisional=True)
        + '[[holidays]]\nname = "假"\nstarts_on = 2026-09-11\nends_on = 2026-09-11\n'
    )
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "holidays[1].name_en")


def test_plan_entry_with_unknown_period_names_the_key_and_lists_known_ones(
    tmp_path: Path,
) -> None:
    text = MINIMAL + PERIOD + '[[plan]]\ntype = "care_week"\nperiod = "care_week"\n'
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "plan[0].period")
    assert "unknown period 'care_week'" in error.label.en
    assert "exams" in error.label.en


def test_after_an_unknown_period_names_the_after_key(tmp_path: Path) -> None:
    text = MINIMAL + PERIOD + '[[plan]]\ntype = "exam_letters"\nafter = "final_exams"\n'
    _assert_names(_load_error(tmp_path, text), tmp_path, "plan[0].after")


def test_plan_on_a_holiday_is_refused_as_not_a_school_day(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + '[holiday_notices]\n2026 = "通知"\n'
        + _holiday("2026-09-25", "2026-09-27")
        + '[[plan]]\ntype = "safety_education"\non = 2026-09-25\n'
    )
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "plan[0].on")
    assert "2026-09-25 is not a school day" in error.label.en


def test_plan_on_a_weekend_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + '[[plan]]\ntype = "safety_education"\non = 2026-09-05\n'
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "plan[0].on")
    assert "not a school day" in error.label.en


def test_plan_on_a_day_outside_the_term_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + '[[plan]]\ntype = "safety_education"\non = 2026-10-08\n'
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "plan[0].on")
    assert "outside the term" in error.label.en


def test_plan_entry_with_two_schedule_forms_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + '[[plan]]\ntype = "talk"\nevery = "month"\non = 2026-09-08\n'
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "plan[0]")
    assert "exactly one of" in error.label.en


def test_plan_every_week_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + '[[plan]]\ntype = "talk"\nevery = "week"\n'
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "plan[0].every")
    assert 'must be "month" or "half_month"' in error.label.en


def test_repeated_plan_entry_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + '[[plan]]\ntype = "talk"\nevery = "month"\n' * 2
    _assert_names(_load_error(tmp_path, text), tmp_path, "plan[1].type")


def test_negative_school_days_after_a_period_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + PERIOD + '[[plan]]\ntype = "x"\nafter = "exams"\nschool_days = -1\n'
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "plan[0].school_days")
    assert "must not be negative" in error.label.en


def test_between_ending_before_it_starts_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + '[[plan]]\ntype = "home_visit"\nbetween = [2026-09-20, 2026-09-10]\n'
    _assert_names(_load_error(tmp_path, text), tmp_path, "plan[0].between")


def test_period_defined_twice_is_refused(tmp_path: Path) -> None:
    error = _load_error(tmp_path, MINIMAL + PERIOD + PERIOD)
    _assert_names(error, tmp_path, "periods[1].key")
    assert "defined twice" in error.label.en


def test_period_outside_the_term_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + PERIOD.replace("2026-09-15", "2026-10-15")
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "periods[0].ends_on")
    assert "outside the term" in error.label.en


def test_holiday_in_a_year_without_a_notice_must_be_provisional(tmp_path: Path) -> None:
    text = MINIMAL.replace("2026-09-30", "2027-01-29") + _holiday("2027-01-01", "2027-01-03")
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "holidays[0]")
    assert "no official holiday notice for 2027" in error.label.en
    assert "provisional = true" in error.label.en
    assert "2027 年没有记录国务院放假通知" in error.label.zh


def test_holiday_spanning_into_a_year_without_a_notice_must_be_provisional(
    tmp_path: Path,
) -> None:
    text = (
        MINIMAL.replace("2026-09-30", "2027-01-29")
        + '[holiday_notices]\n2026 = "通知"\n'
        + _holiday("2026-12-31", "2027-01-02")
    )
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "holidays[0]")
    assert "2027" in error.label.en


def test_make_up_workday_in_a_year_without_a_notice_must_be_provisional(tmp_path: Path) -> None:
    text = MINIMAL + '[[workdays]]\nname = "调休"\nname_en = "Make-up"\non = 2026-09-12\n'
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "workdays[0]")
    assert "provisional" in error.label.en


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    error = _load_error(tmp_path, MINIMAL + "[[holidays]\nname = \n")
    assert str(tmp_path / "term.toml") in error.label.en
    assert "not valid TOML" in error.label.en
    assert "不是有效的 TOML" in error.label.zh


def test_unknown_timezone_names_the_key(tmp_path: Path) -> None:
    error = _load_error(tmp_path, MINIMAL + 'timezone = "Asia/Beijing"\n')
    _assert_names(error, tmp_path, "term.timezone")
    assert "unknown time zone 'Asia/Beijing'" in error.label.en


def test_a_date_time_where_a_date_is_expected_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace("starts_on = 2026-09-01", "starts_on = 2026-09-01T08:00:00")
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "term.starts_on")
    assert "must be a date, not a date-time" in error.label.en


def test_date_times_in_between_are_refused(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + '[[plan]]\ntype = "home_visit"\n'
        + "between = [2026-09-08T08:00:00, 2026-09-20T08:00:00]\n"
    )
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "plan[0].between")
    assert "[first date, last date]" in error.label.en


def test_a_quoted_date_is_refused_with_an_example(tmp_path: Path) -> None:
    text = MINIMAL.replace("starts_on = 2026-09-01", 'starts_on = "2026-09-01"')
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "term.starts_on")
    assert "a date like 2026-09-01" in error.label.en


@pytest.mark.parametrize("weekdays", ["[]", "[0, 1]", "[8]", "[true]", '["Monday"]'])
def test_school_weekdays_must_be_iso_weekday_numbers(tmp_path: Path, weekdays: str) -> None:
    error = _load_error(tmp_path, MINIMAL + f"school_weekdays = {weekdays}\n")
    _assert_names(error, tmp_path, "term.school_weekdays")


def test_provisional_must_be_true_or_false(tmp_path: Path) -> None:
    text = MINIMAL + _holiday("2026-09-10", "2026-09-10") + 'provisional = "yes"\n'
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "holidays[0].provisional")


def test_a_holiday_notice_needs_a_year(tmp_path: Path) -> None:
    error = _load_error(tmp_path, MINIMAL + '[holiday_notices]\nnext = "通知"\n')
    _assert_names(error, tmp_path, "holiday_notices.next")


def test_a_term_without_school_days_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace("2026-09-01", "2026-09-05").replace("2026-09-30", "2026-09-06")
    error = _load_error(tmp_path, text)
    _assert_names(error, tmp_path, "term.starts_on")
    assert "no school days" in error.label.en


def test_a_missing_calendar_file_lists_the_shipped_ones(tmp_path: Path) -> None:
    error = _error_of(lambda: load_calendar(tmp_path / "nope.toml"))
    assert str(tmp_path / "nope.toml") in error.label.en
    assert "2026-autumn" in error.label.en
    assert "2027-spring" in error.label.en


def test_error_str_follows_the_language_setting(tmp_path: Path, english: None) -> None:
    error = _load_error(tmp_path, MINIMAL.replace("starts_on = 2026-09-01\n", ""))
    assert str(error) == error.label.en


# --- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("zh")


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _holiday(first: str, last: str, provisional: bool = False) -> str:
    text = (
        f'\n[[holidays]]\nname = "假"\nname_en = "Holiday"\nstarts_on = {first}\nends_on = {last}\n'
    )
    return text + ("provisional = true\n" if provisional else "")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "term.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _error_of(load: Callable[[], object]) -> CalendarError:
    with pytest.raises(CalendarError) as info:
        load()
    return info.value


def _load_error(tmp_path: Path, text: str) -> CalendarError:
    path = _write(tmp_path, text)
    return _error_of(lambda: load_calendar(path))


def _assert_names(error: CalendarError, tmp_path: Path, key: str) -> None:
    """The message, in both languages, names the file and the key."""
    path = str(tmp_path / "term.toml")
    assert f"calendar file {path}, {key}" in error.label.en, error.label.en
    assert f"日历文件 {path}，{key}" in error.label.zh, error.label.zh


def test_the_example_in_docs_calendars_md_parses() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "calendars.md"
    example = docs.read_text(encoding="utf-8").split("```toml\n", 1)[1].split("```", 1)[0]
    calendar = parse_calendar(example, docs)
    assert calendar.key == "2026-autumn"
    assert [e.name.en for e in calendar.provisional_entries] == ["New Year's Day"]
