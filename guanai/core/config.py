"""Settings: one TOML file in the user's config directory, every key documented here.

Lookup order for the file: ``--config PATH``, then ``GUANAI_CONFIG``, then
``<user config dir>/guanai/config.toml``. A missing file means all defaults. Environment
variables override the file for the keys that name one. docs/configuration.md lists the keys.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from typing import Any

import platformdirs

from guanai.core.errors import ConfigError
from guanai.core.i18n import LANGUAGES, Label
from guanai.core.limits import limit_text, toml_too_deep

APP = "guanai"


def default_database_url() -> str:
    return f"sqlite:///{Path(platformdirs.user_data_dir(APP)) / 'guanai.db'}"


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


@dataclass(frozen=True)
class ReminderSettings:
    """The ``[reminders]`` table: what is sent when, and how delivery retries."""

    channels: list[str] = field(default_factory=lambda: ["inbox"])
    """Channels every reminder goes through (env ``GUANAI_REMINDER_CHANNELS``, comma-separated)."""
    digest_time: str = "07:30"
    """Local time (HH:MM) of each teacher's daily digest, sent on school days only."""
    weekly_summary_day: int = 5
    """ISO weekday of the coordinator's weekly summary (1 Monday … 7 Sunday)."""
    weekly_summary_time: str = "16:00"
    """Local time (HH:MM) of the weekly summary."""
    digest_lines: int = 10
    """At most this many lines per section of a message; the rest are counted."""
    max_attempts: int = 6
    """A reminder that failed this many times is marked failed (shown, never dropped)."""
    retry_after_seconds: int = 60
    """Wait before the first retry; doubled after each failure."""
    retry_max_seconds: int = 3600
    """The longest wait between two tries."""
    tick_every_seconds: int = 60
    """How often ``guanai run`` ticks the engine and dispatches the outbox."""
    lease_seconds: int = 600
    """How long a claim holds; a claim older than this (its daemon died) is sent again."""

    def digest_at(self) -> time:
        return time.fromisoformat(self.digest_time)

    def weekly_at(self) -> time:
        return time.fromisoformat(self.weekly_summary_time)


@dataclass(frozen=True)
class FeedSettings:
    """The ``[feeds]`` table: where teachers' calendar apps reach ``guanai serve``."""

    base_url: str = ""
    """The address teachers' phones reach the feed server at, e.g. ``https://guanai.school.cn``
    (env ``GUANAI_FEEDS_BASE_URL``); feed links and QR codes are built on it. Empty: no link
    is made (a loopback address is never guessed for a phone to scan)."""


@dataclass(frozen=True)
class LimitSettings:
    """The ``[limits]`` table: the most guanai reads from one input file.

    A file past a limit is refused before the work it would cost (its size and, for an .xlsx,
    its zip directory are checked before it is read) or as soon as reading reaches the part
    that is too large, with a message naming the limit's key. The defaults fit a city's
    260,000 children in one file; a school's roster is far smaller."""

    file_mb: int = 256
    """The largest roster file ``guanai import`` reads (.xlsx or .csv), in MiB."""
    unpacked_mb: int = 512
    """An .xlsx is a zip archive: the most its parts may unpack to together, in MiB."""
    xlsx_parts: int = 10_000
    """The most parts (files inside the zip) an .xlsx may hold; a spreadsheet has a few dozen."""
    rows: int = 1_000_000
    """The most rows a roster may have, counting the header, a title above it and empty rows."""
    columns: int = 100
    """The most cells one row may have, counting empty ones up to the last the file holds."""
    cell_chars: int = 10_000
    """The most characters one cell may hold (in an .xlsx also any shared or inline string)."""
    toml_kb: int = 1024
    """The largest term calendar file, in KiB (a config file is held to the default)."""
    toml_depth: int = 16
    """How deeply arrays and inline tables may nest in a term calendar, at most
    :data:`MAX_TOML_DEPTH` (a config file is held to the default)."""


@dataclass(frozen=True)
class PlanningSettings:
    """The ``[planning]`` table: how a term's calendar becomes duties."""

    stub_month_school_days: int = 7
    """A term's first or last month with at most this many school days gets no monthly duty
    of its own: it folds into the next (or previous) month. 0: no month folds."""


@dataclass(frozen=True)
class PairingSettings:
    """The ``[pairing]`` table: how many children one teacher is paired with (结对帮扶)."""

    max_children_per_teacher: int = 15
    """``guanai pair`` (and the dashboard) gives no teacher more children than this unless told
    to (``--over-cap``). Why 15: docs/configuration.md, "Pairing"."""


MAX_TOML_DEPTH = 100
"""tomllib parses nesting by recursion, a few frames a level: deeper would exhaust the stack."""


@dataclass(frozen=True)
class Settings:
    """Every setting guanai reads. Field docs are the reference for docs/configuration.md."""

    database_url: str = field(default_factory=default_database_url)
    """SQLAlchemy URL of the database (env ``GUANAI_DATABASE_URL``)."""
    language: str = "zh"
    """Language of everything shown: ``zh`` or ``en`` (env ``GUANAI_LANG``)."""
    actor: str = ""
    """Who is acting, recorded in the audit trail (env ``GUANAI_ACTOR``); default: login name."""
    term: str = "2026-autumn"
    """The term calendar used when a command is not given one: a shipped name or a file path."""
    max_tasks_per_teacher_per_day: int = 3
    """Per-child duties are spread so that no teacher has more than this many in one day."""
    escalate_after_days: int = 7
    """An overdue task escalates to the coordinator after this many days."""
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    """The ``[reminders]`` table."""
    feeds: FeedSettings = field(default_factory=FeedSettings)
    """The ``[feeds]`` table."""
    limits: LimitSettings = field(default_factory=LimitSettings)
    """The ``[limits]`` table."""
    planning: PlanningSettings = field(default_factory=PlanningSettings)
    """The ``[planning]`` table."""
    pairing: PairingSettings = field(default_factory=PairingSettings)
    """The ``[pairing]`` table."""
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    """``[channels.NAME]`` tables, each read by its channel (env ``GUANAI_CHANNEL_NAME_KEY``)."""
    source: str = field(default="", compare=False)
    """Where the settings came from (the config file's path), for error messages."""


_TABLES = (ReminderSettings, FeedSettings, LimitSettings, PlanningSettings, PairingSettings)
_ENV = {"database_url": "GUANAI_DATABASE_URL", "language": "GUANAI_LANG", "actor": "GUANAI_ACTOR"}
_CHANNEL_VARIABLE = re.compile(r"^GUANAI_CHANNEL_([A-Z0-9]+)_([A-Z0-9_]+)$")
_TYPE_NAMES = {
    str: Label("字符串", "a string"),
    int: Label("整数", "an integer"),
    bool: Label("布尔值（true 或 false）", "a boolean (true or false)"),
    list: Label("字符串列表", "a list of strings"),
    dict: Label("表", "a table"),
}


def _fail(path: Path, key: str, zh: str, en: str) -> ConfigError:
    return ConfigError(Label(f"配置文件 {path}：{key} {zh}", f"config file {path}: {key} {en}"))


def _checked(path: Path, prefix: str, values: dict[str, Any], defaults: object) -> dict[str, Any]:
    """``values`` after checking each key exists in ``defaults`` and has its type."""
    known = {f.name for f in fields(defaults)} - {"source"}  # type: ignore[arg-type]
    for key, value in values.items():
        if key not in known:
            raise ConfigError(
                Label(
                    f"配置文件 {path}：未知的键 {prefix}{key}",
                    f"config file {path}: unknown key {prefix}{key}",
                )
            )
        expected = type(getattr(defaults, key))
        if expected in _TABLES:
            continue  # a table of its own, checked by _reminders, _feeds, _limits, …
        wrong = not isinstance(value, expected) or isinstance(value, bool) != (expected is bool)
        if expected is list and not wrong:
            wrong = not all(isinstance(item, str) for item in value)
        if wrong:
            name = _TYPE_NAMES[expected]
            raise _fail(path, prefix + key, f"应为{name.zh}", f"must be {name.en}")
    return values


def _read_file(path: Path) -> dict[str, Any]:
    """The file's tables, or {} if there is none. The file is held to the default
    ``toml_kb`` and ``toml_depth``: it is read before its own ``[limits]`` could apply."""
    if not path.exists():
        return {}
    bounds = LimitSettings()
    try:
        if path.stat().st_size > bounds.toml_kb * 1024:
            size = limit_text("toml_kb", bounds.toml_kb)
            raise ConfigError(
                Label(
                    f"配置文件 {path} 超过 {size}：配置文件不会这么大",
                    f"config file {path} is larger than {size}: no config file is that large",
                )
            )
        text = path.read_text(encoding="utf-8")
        line = toml_too_deep(text, bounds.toml_depth)
        if line is not None:
            raise ConfigError(
                Label(
                    f"配置文件 {path} 第 {line} 行：数组或内联表嵌套超过 {bounds.toml_depth} 层",
                    f"config file {path} line {line}: arrays or inline tables nested more"
                    f" than {bounds.toml_depth} deep",
                )
            )
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        raise ConfigError(
            Label(f"配置文件 {path} 无法读取：{error}", f"config file {path} is invalid: {error}")
        ) from None


def _reminders(path: Path, table: Any) -> ReminderSettings:
    if not isinstance(table, dict):
        raise _fail(path, "reminders", "应为表", "must be a table")
    values = _checked(path, "reminders.", dict(table), ReminderSettings())
    if os.environ.get("GUANAI_REMINDER_CHANNELS"):
        names = os.environ["GUANAI_REMINDER_CHANNELS"].split(",")
        values["channels"] = [name.strip() for name in names if name.strip()]
    reminders = ReminderSettings(**values)
    for key in ("digest_time", "weekly_summary_time"):
        try:
            time.fromisoformat(getattr(reminders, key))
        except ValueError:
            raise _fail(
                path, f"reminders.{key}", "应为 HH:MM 格式的时间", "must be a time like 07:30"
            ) from None
    if not 1 <= reminders.weekly_summary_day <= 7:
        raise _fail(path, "reminders.weekly_summary_day", "应为 1–7", "must be 1 to 7")
    positive = ("digest_lines", "max_attempts", "tick_every_seconds")
    positive += ("retry_after_seconds", "retry_max_seconds", "lease_seconds")
    for key in positive:
        if getattr(reminders, key) < 1:
            raise _fail(path, f"reminders.{key}", "至少为 1", "must be at least 1")
    return reminders


_BASE_URL = re.compile(r"^https?://[^/\s?#]+(/[^\s?#]*)?$")


def _feeds(path: Path, table: Any) -> FeedSettings:
    """The ``[feeds]`` table, with ``GUANAI_FEEDS_BASE_URL`` over its ``base_url``."""
    if not isinstance(table, dict):
        raise _fail(path, "feeds", "应为表", "must be a table")
    values = _checked(path, "feeds.", dict(table), FeedSettings())
    if os.environ.get("GUANAI_FEEDS_BASE_URL"):
        values["base_url"] = os.environ["GUANAI_FEEDS_BASE_URL"].strip()
    feeds = FeedSettings(**values)
    if feeds.base_url and not _BASE_URL.match(feeds.base_url):
        raise _fail(
            path,
            "feeds.base_url",
            f"应为 http:// 或 https:// 开头、不含查询参数的地址，而不是 {feeds.base_url!r}",
            f"must be an http:// or https:// address without a query, not {feeds.base_url!r}",
        )
    return feeds


def _limits(path: Path, table: Any) -> LimitSettings:
    if not isinstance(table, dict):
        raise _fail(path, "limits", "应为表", "must be a table")
    limits = LimitSettings(**_checked(path, "limits.", dict(table), LimitSettings()))
    for key in (f.name for f in fields(limits)):
        if getattr(limits, key) < 1:
            raise _fail(path, f"limits.{key}", "至少为 1", "must be at least 1")
    if limits.toml_depth > MAX_TOML_DEPTH:  # tomllib parses nesting by recursion
        raise _fail(
            path,
            "limits.toml_depth",
            f"应为 1–{MAX_TOML_DEPTH}",
            f"must be 1 to {MAX_TOML_DEPTH}",
        )
    return limits


def _planning(path: Path, table: Any) -> PlanningSettings:
    if not isinstance(table, dict):
        raise _fail(path, "planning", "应为表", "must be a table")
    planning = PlanningSettings(**_checked(path, "planning.", dict(table), PlanningSettings()))
    if not 0 <= planning.stub_month_school_days <= 31:
        raise _fail(
            path,
            "planning.stub_month_school_days",
            "应为 0–31（0 表示不合并任何月份）",
            "must be 0 to 31 (0: no month folds)",
        )
    return planning


def _pairing(path: Path, table: Any) -> PairingSettings:
    if not isinstance(table, dict):
        raise _fail(path, "pairing", "应为表", "must be a table")
    pairing = PairingSettings(**_checked(path, "pairing.", dict(table), PairingSettings()))
    if pairing.max_children_per_teacher < 1:
        raise _fail(path, "pairing.max_children_per_teacher", "至少为 1", "must be at least 1")
    return pairing


def _channels(path: Path, table: Any) -> dict[str, dict[str, Any]]:
    """``[channels.NAME]`` tables, with ``GUANAI_CHANNEL_NAME_KEY`` variables over them."""
    if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
        raise _fail(path, "channels", "应为表：[channels.名称]", "must hold [channels.NAME] tables")
    channels = {name: dict(options) for name, options in table.items()}
    for variable, value in os.environ.items():
        match = _CHANNEL_VARIABLE.match(variable)
        if match and value:
            name, key = match.group(1).lower(), match.group(2).lower()
            channels.setdefault(name, {})[key] = value
    return channels


def load_settings(path: Path | None = None) -> Settings:
    """Read the config file (if any) and environment overrides; raise ConfigError on a bad key."""
    path = (path or Path(os.environ.get("GUANAI_CONFIG") or default_config_path())).expanduser()
    values = _checked(path, "", _read_file(path), Settings())
    values["reminders"] = _reminders(path, values.get("reminders", {}))
    values["feeds"] = _feeds(path, values.get("feeds", {}))
    values["limits"] = _limits(path, values.get("limits", {}))
    values["planning"] = _planning(path, values.get("planning", {}))
    values["pairing"] = _pairing(path, values.get("pairing", {}))
    values["channels"] = _channels(path, values.get("channels", {}))
    for key, variable in _ENV.items():
        if os.environ.get(variable):
            values[key] = os.environ[variable]
    settings = Settings(**values, source=str(path))
    if settings.language not in LANGUAGES:
        from_env = bool(os.environ.get("GUANAI_LANG"))
        zh_source = "环境变量 GUANAI_LANG" if from_env else f"配置文件 {path}"
        en_source = "environment variable GUANAI_LANG" if from_env else f"config file {path}"
        raise ConfigError(
            Label(
                f"{zh_source}：language 应为 zh 或 en，而不是 {settings.language!r}",
                f"{en_source}: language must be zh or en, not {settings.language!r}",
            )
        )
    if settings.max_tasks_per_teacher_per_day < 1 or settings.escalate_after_days < 0:
        raise ConfigError(
            Label(
                f"配置文件 {path}：max_tasks_per_teacher_per_day 至少为 1，"
                "escalate_after_days 不能为负",
                f"config file {path}: max_tasks_per_teacher_per_day must be at least 1"
                " and escalate_after_days >= 0",
            )
        )
    return settings


def acting_user(settings: Settings) -> str:
    """The name recorded in the audit trail for changes made in this process."""
    if settings.actor:
        return settings.actor
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER", "unknown")
