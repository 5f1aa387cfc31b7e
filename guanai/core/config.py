"""Settings: one TOML file in the user's config directory, every key documented here.

Lookup order for the file: ``--config PATH``, then ``GUANAI_CONFIG``, then
``<user config dir>/guanai/config.toml``. A missing file means all defaults. Environment
variables override the file for the keys that name one. docs/configuration.md lists the keys.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

from guanai.core.errors import ConfigError
from guanai.core.i18n import LANGUAGES, Label

APP = "guanai"


def default_database_url() -> str:
    return f"sqlite:///{Path(platformdirs.user_data_dir(APP)) / 'guanai.db'}"


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


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


_ENV = {"database_url": "GUANAI_DATABASE_URL", "language": "GUANAI_LANG", "actor": "GUANAI_ACTOR"}
_TYPE_NAMES = {
    str: Label("字符串", "a string"),
    int: Label("整数", "an integer"),
    bool: Label("布尔值（true 或 false）", "a boolean (true or false)"),
}


def load_settings(path: Path | None = None) -> Settings:
    """Read the config file (if any) and environment overrides; raise ConfigError on a bad key."""
    path = (path or Path(os.environ.get("GUANAI_CONFIG") or default_config_path())).expanduser()
    values: dict[str, Any] = {}
    if path.exists():
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
            raise ConfigError(
                Label(
                    f"配置文件 {path} 无法读取：{error}", f"config file {path} is invalid: {error}"
                )
            ) from None
    known = {f.name for f in fields(Settings)}
    defaults = Settings()
    for key, value in values.items():
        if key not in known:
            raise ConfigError(
                Label(f"配置文件 {path}：未知的键 {key}", f"config file {path}: unknown key {key}")
            )
        expected = type(getattr(defaults, key))
        if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
            raise ConfigError(
                Label(
                    f"配置文件 {path}：键 {key} 应为{_TYPE_NAMES[expected].zh}",
                    f"config file {path}: key {key} must be {_TYPE_NAMES[expected].en}",
                )
            )
    for key, variable in _ENV.items():
        if os.environ.get(variable):
            values[key] = os.environ[variable]
    settings = Settings(**values)
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
