"""``plugin new``: start a plugin package that installs, and whose test passes, as written.

The files come from ``guanai/templates/plugin/*.tmpl`` (``string.Template``: ``${name}``
placeholders, ``$$`` for a dollar sign). Titles go into TOML and Python as JSON string literals,
which are valid in both, so any text the user gives stays one well-formed string.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from string import Template

import click

from guanai.cli.context import UserError, console, pass_service, say
from guanai.service import Guanai

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_PREFIX = re.compile(r"^guanai[-_]", re.IGNORECASE)
_TYPE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # what guanai accepts as an activity type


@dataclass(frozen=True)
class PluginNames:
    """Every name a plugin called ``sports-day`` (or ``guanai-sports-day``) is known by."""

    distribution: str  # guanai-sports-day
    package: str  # guanai_sports_day
    entry_point: str  # sports_day, also the activity type's name
    class_name: str  # SportsDay

    @classmethod
    def of(cls, name: str) -> PluginNames:
        stem = _PREFIX.sub("", name).lower() if _NAME.match(name) else ""
        words = [word for word in re.split(r"[-_]", stem) if word]
        type_name = "_".join(words)
        if not _TYPE_NAME.match(type_name):
            raise UserError(
                say(
                    f"插件名 {name!r} 无效：须以字母开头，只含字母、数字、连字符和下划线"
                    "（去掉 guanai- 前缀后不超过 40 个字符），如 sports-day",
                    f"invalid plugin name {name!r}: it must start with a letter and hold only "
                    "letters, digits, hyphens and underscores (at most 40 after any guanai- "
                    "prefix), e.g. sports-day",
                )
            )
        return cls(
            distribution="guanai-" + "-".join(words),
            package="guanai_" + "_".join(words),
            entry_point=type_name,
            class_name="".join(word.capitalize() for word in words),
        )


def _literal(text: str) -> str:
    """A double-quoted string literal, valid in both TOML and Python."""
    return json.dumps(text, ensure_ascii=False)


def render_plugin(names: PluginNames, title_zh: str, title_en: str) -> dict[str, str]:
    """The plugin's files, by path relative to its directory."""
    version = metadata.version("guanai").split(".")
    values = {
        "distribution": names.distribution,
        "package": names.package,
        "entry_point": names.entry_point,
        "type_name": names.entry_point,
        "class_name": names.class_name,
        "title_zh": title_zh,
        "title_en": title_en,
        "title_zh_literal": _literal(title_zh),
        "title_en_literal": _literal(title_en),
        "description": _literal(f"A guanai plugin: {title_en} ({title_zh})"),
        "guanai_requirement": f"guanai>={'.'.join(version[:2])}",
    }
    templates = resources.files("guanai") / "templates" / "plugin"
    files = {
        "pyproject.toml": "pyproject.toml.tmpl",
        "README.md": "README.md.tmpl",
        f"{names.package}/__init__.py": "__init__.py.tmpl",
        f"tests/test_{names.entry_point}.py": "test_plugin.py.tmpl",
    }
    return {
        path: Template((templates / template).read_text(encoding="utf-8")).substitute(values)
        for path, template in files.items()
    }


@click.group()
def plugin() -> None:
    """插件开发 / Plugin development."""


@plugin.command()
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(),
    help="在此目录下创建（默认当前目录）/ where to create it (default: here)",
)
@click.option("--title-zh", help="活动类型的中文名 / the activity type's Chinese title")
@click.option("--title-en", help="活动类型的英文名 / the activity type's English title")
@pass_service
def new(
    service: Guanai, name: str, directory: Path, title_zh: str | None, title_en: str | None
) -> None:
    """新建插件包 / Write a new plugin package: one activity type, its test and README.

    NAME is like sports-day: the package guanai-sports-day, activity type sports_day.
    """
    service.identify()
    names = PluginNames.of(name)
    registry = service.registry
    if names.entry_point in registry:
        owner = registry.owners[names.entry_point]
        raise UserError(
            say(
                f"活动类型 {names.entry_point} 已由插件 {owner} 注册，请换一个名字",
                f"activity type {names.entry_point} is already registered by {owner}: "
                "choose another name",
            )
        )
    root = directory / names.distribution
    if root.exists():
        raise UserError(
            say(f"{root} 已存在，未写入任何文件", f"{root} already exists; nothing was written")
        )
    title_en = title_en or names.entry_point.replace("_", " ").capitalize()
    for path, text in render_plugin(names, title_zh or title_en, title_en).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        console.print(say(f"已写入 {target}", f"wrote {target}"), markup=False, soft_wrap=True)
    console.print(
        say(
            f"\n下一步：\n  cd {root}\n  pip install -e '.[test]'\n  pytest\n"
            f"  guanai plugins   # 应列出 {names.entry_point}",
            f"\nNext:\n  cd {root}\n  pip install -e '.[test]'\n  pytest\n"
            f"  guanai plugins   # lists {names.entry_point}",
        ),
        markup=False,
        soft_wrap=True,  # paths stay whole, to copy and paste
    )


COMMANDS = (plugin,)
