"""The ``[limits]`` table, and TOML files bounded before tomllib (which recurses) parses them."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from guanai.core import i18n
from guanai.core.calendar import load_calendar, shipped_calendars
from guanai.core.config import LimitSettings, load_settings
from guanai.core.errors import CalendarError, ConfigError
from guanai.core.limits import over_limit, toml_too_deep


def test_limits_are_read_from_their_table_and_default_otherwise(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[limits]\ncell_chars = 20_000\nrows = 5000\n", encoding="utf-8")
    limits = load_settings(path).limits
    assert (limits.cell_chars, limits.rows) == (20_000, 5000)
    assert limits.columns == LimitSettings().columns


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("cellchars = 1", "unknown key limits.cellchars"),
        ('rows = "many"', "limits.rows must be an integer"),
        ("columns = 0", "limits.columns must be at least 1"),
        ("toml_depth = 101", "limits.toml_depth must be 1 to 100"),
    ],
)
def test_a_wrong_limit_names_the_file_and_the_key(tmp_path: Path, line: str, says: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[limits]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert says in raised.value.label.en and str(path) in raised.value.label.en


def test_a_limit_message_says_the_value_and_the_key_that_raises_it() -> None:
    message = over_limit(i18n.Label("名册.xlsx 太大", "名册.xlsx is too large"), "file_mb", 256)
    assert (
        message.zh == "名册.xlsx 太大，超过上限 256 MiB（可在配置文件的 [limits] 中调大 file_mb）"
    )
    assert message.en == (
        "名册.xlsx is too large, over the limit of 256 MiB"
        " (raise file_mb in the config file's [limits])"
    )


# --- nesting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'a = "[[[[[[[[["\n',
        "a = '{{{{{{{{{'\n",
        'a = """\n[[[[[[\n"""\n',
        "a = '''[[[[[[[[\n]]'''\n",
        'a = "\\"[[[[[[[["\n',
        "# [[[[[[[[[[[[\n",
        'a = ["""x""""]\n',  # a quote just inside the closing delimiter
        "[[plan]]\nb = [1, [2, [3]]]\n",
        'c = { d = [1], "e[[[[" = 2 }\n',
    ],
)
def test_brackets_in_strings_and_comments_do_not_nest(text: str) -> None:
    tomllib.loads(text)  # each is valid TOML
    assert toml_too_deep(text, 3) is None


def test_nesting_past_the_depth_is_found_on_its_line() -> None:
    text = 'a = "["\nb = [[[1]]]\nc = [[[[1]]]]\n'
    assert toml_too_deep(text, 3) == 3
    assert toml_too_deep(text, 4) is None


def test_a_string_that_ends_in_extra_quotes_does_not_hide_what_follows() -> None:
    """tomllib reads the five quotes as a quote and two more inside the delimiter and the rest
    as arrays: so must the scan, or the arrays after it would go uncounted."""
    text = 'a = ["""x"""""' + ", [" * 50 + "]" * 51 + "\n"
    assert toml_too_deep(text, 16) == 1


# --- the files ----------------------------------------------------------------------------


def test_a_deeply_nested_config_file_is_one_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("language = 'en'\nx = " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert raised.value.label.en == (
        f"config file {path} line 2: arrays or inline tables nested more than 16 deep"
    )


def test_an_oversized_config_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# " + "x" * (1 << 20) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert raised.value.label.en == (
        f"config file {path} is larger than 1,024 KiB: no config file is that large"
    )


def test_a_deeply_nested_calendar_names_the_file_and_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "term.toml"
    path.write_text("x = " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    with pytest.raises(CalendarError) as raised:
        load_calendar(path)
    assert raised.value.label.en == (
        f"calendar file {path} line 1: arrays or inline tables nested too deep, over the limit"
        " of 16 (raise toml_depth in the config file's [limits])"
    )
    path.write_text("x = " + "[" * 90 + "]" * 90 + "\n", encoding="utf-8")
    with pytest.raises(CalendarError) as raised:  # raised: the calendar's own error, not depth
        load_calendar(path, limits=LimitSettings(toml_depth=100))
    assert "toml_depth" not in raised.value.label.en


def test_a_calendar_larger_than_toml_kb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "term.toml"
    path.write_text("# " + "x" * 2048 + "\n", encoding="utf-8")
    i18n.set_language("en")
    with pytest.raises(CalendarError, match="raise toml_kb"):
        load_calendar(path, limits=LimitSettings(toml_kb=1))


@pytest.mark.parametrize("name", sorted(shipped_calendars()))
def test_the_shipped_calendars_are_within_the_default_limits(name: str) -> None:
    assert load_calendar(name, limits=LimitSettings()).key
