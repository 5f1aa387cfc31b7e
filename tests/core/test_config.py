"""Settings: defaults, the TOML file, environment overrides and the errors a user can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanai.core.config import (
    Settings,
    acting_user,
    default_config_path,
    default_database_url,
    load_settings,
)
from guanai.core.errors import ConfigError

FULL = """\
database_url = "postgresql+psycopg://guanai@db.example/guanai"
language = "en"
actor = "王老师"
term = "2027-spring"
max_tasks_per_teacher_per_day = 5
escalate_after_days = 10
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def messages(error: pytest.ExceptionInfo[ConfigError]) -> str:
    return f"{error.value.label.zh}\n{error.value.label.en}"


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings()

    assert settings == Settings()
    assert settings.language == "zh"
    assert settings.actor == ""
    assert settings.term == "2026-autumn"
    assert settings.max_tasks_per_teacher_per_day == 3
    assert settings.escalate_after_days == 7
    assert settings.database_url == default_database_url()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("guanai.db")


def test_missing_explicit_file_means_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "absent.toml") == Settings()


def test_default_path_is_in_the_user_config_directory() -> None:
    path = default_config_path()
    assert path.name == "config.toml"
    assert path.parent.name == "guanai"


def test_file_keys_are_read(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, FULL))

    assert settings == Settings(
        database_url="postgresql+psycopg://guanai@db.example/guanai",
        language="en",
        actor="王老师",
        term="2027-spring",
        max_tasks_per_teacher_per_day=5,
        escalate_after_days=10,
    )


def test_some_keys_leave_the_rest_at_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "escalate_after_days = 0\n"))

    assert settings.escalate_after_days == 0
    assert settings.max_tasks_per_teacher_per_day == 3
    assert settings.language == "zh"


def test_guanai_config_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, 'term = "2027-spring"\n')
    monkeypatch.setenv("GUANAI_CONFIG", str(path))

    assert load_settings().term == "2027-spring"


def test_explicit_path_wins_over_guanai_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.toml"
    other.write_text('term = "from-env"\n', encoding="utf-8")
    monkeypatch.setenv("GUANAI_CONFIG", str(other))

    assert load_settings(write(tmp_path, 'term = "from-flag"\n')).term == "from-flag"


def test_unknown_key_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, 'langauge = "en"\n')

    with pytest.raises(ConfigError) as error:
        load_settings(path)

    text = messages(error)
    assert str(path) in text
    assert "langauge" in text
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('max_tasks_per_teacher_per_day = "3"', "max_tasks_per_teacher_per_day"),
        ("max_tasks_per_teacher_per_day = 2.5", "max_tasks_per_teacher_per_day"),
        ("escalate_after_days = true", "escalate_after_days"),
        ("language = 1", "language"),
        ("actor = false", "actor"),
        ('database_url = ["sqlite://"]', "database_url"),
        ("[term]\nname = 'x'", "term"),
    ],
)
def test_wrong_type_names_the_file_and_the_key(tmp_path: Path, line: str, key: str) -> None:
    path = write(tmp_path, line + "\n")

    with pytest.raises(ConfigError) as error:
        load_settings(path)

    assert str(path) in messages(error)
    assert key in messages(error)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "language = \n")

    with pytest.raises(ConfigError) as error:
        load_settings(path)

    assert str(path) in messages(error)


def test_unreadable_config_path_is_a_config_error(tmp_path: Path) -> None:
    directory = tmp_path / "config.toml"
    directory.mkdir()

    with pytest.raises(ConfigError) as error:
        load_settings(directory)

    assert str(directory) in messages(error)


def test_database_url_from_the_environment_overrides_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUANAI_DATABASE_URL", "sqlite:////srv/guanai/guanai.db")

    settings = load_settings(write(tmp_path, FULL))

    assert settings.database_url == "sqlite:////srv/guanai/guanai.db"
    assert settings.term == "2027-spring"


def test_language_and_actor_from_the_environment_override_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUANAI_LANG", "zh")
    monkeypatch.setenv("GUANAI_ACTOR", "李校长")

    settings = load_settings(write(tmp_path, FULL))

    assert settings.language == "zh"
    assert settings.actor == "李校长"


def test_empty_environment_variable_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUANAI_DATABASE_URL", "")

    settings = load_settings(write(tmp_path, FULL))

    assert settings.database_url == "postgresql+psycopg://guanai@db.example/guanai"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_language_zh_or_en_is_accepted(tmp_path: Path, language: str) -> None:
    assert load_settings(write(tmp_path, f'language = "{language}"\n')).language == language


@pytest.mark.parametrize("language", ["fr", "ZH", "zh-CN", ""])
def test_other_language_in_the_file_is_rejected(tmp_path: Path, language: str) -> None:
    path = write(tmp_path, f'language = "{language}"\n')

    with pytest.raises(ConfigError) as error:
        load_settings(path)

    assert str(path) in messages(error)
    assert "language" in messages(error)
    assert "zh" in messages(error)
    assert "en" in messages(error)


def test_other_language_in_the_environment_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUANAI_LANG", "fr")

    with pytest.raises(ConfigError) as error:
        load_settings()

    assert "fr" in messages(error)
    assert "GUANAI_LANG" in messages(error)


@pytest.mark.parametrize(
    "line",
    ["max_tasks_per_teacher_per_day = 0", "escalate_after_days = -1"],
)
def test_out_of_range_numbers_are_rejected(tmp_path: Path, line: str) -> None:
    path = write(tmp_path, line + "\n")

    with pytest.raises(ConfigError) as error:
        load_settings(path)

    assert str(path) in messages(error)
    assert line.split()[0] in messages(error)


def test_the_pairing_cap_is_read_and_must_be_at_least_one(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.toml").pairing.max_children_per_teacher == 15
    raised = write(tmp_path, "[pairing]\nmax_children_per_teacher = 25\n")
    assert load_settings(raised).pairing.max_children_per_teacher == 25
    for line, wrong in (("0", "至少为 1"), ('"25"', "应为整数")):
        path = write(tmp_path, f"[pairing]\nmax_children_per_teacher = {line}\n")
        with pytest.raises(ConfigError) as error:
            load_settings(path)
        assert str(path) in messages(error) and wrong in messages(error)
        assert "pairing.max_children_per_teacher" in messages(error)


def test_acting_user_prefers_the_setting() -> None:
    assert acting_user(Settings(actor="王老师")) == "王老师"
    assert acting_user(Settings()) != ""
