"""The ``guanai`` command line: a thin front end over :class:`guanai.service.Guanai`.

Each command turns its options into one call on the service (``ctx.obj``, handed to it by
:data:`guanai.cli.context.pass_service`) and prints the result; errors are one clear line.
Commands live in the modules of this package; plugins add theirs through the
``register_commands`` hook, exactly as the built-in ones are attached here.
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.exc import DBAPIError

from guanai.cli.context import UserError, report_plugin_problems, say
from guanai.core.config import Settings, acting_user, load_settings
from guanai.core.errors import GuanaiError
from guanai.core.i18n import LANGUAGES, set_language
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager
from guanai.service import Guanai


class GuanaiGroup(click.Group):
    """A group that turns the errors users can act on into one bilingual line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Refuse an argument that is not valid UTF-8 (Python keeps its bytes as surrogates,
        which no database and no file accepts) before any command sees it."""
        for number, arg in enumerate(args, start=1):
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:
                raise UserError(
                    say(
                        f"第 {number} 个参数不是有效的 UTF-8 文本：请检查终端的字符编码",
                        f"argument {number} is not valid UTF-8 text: check the terminal's encoding",
                    )
                ) from None
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except GuanaiError as error:
            raise UserError(str(error)) from None
        except DBAPIError as error:
            # The database went away or refused the statement: say which, without the SQL
            # (its parameters may hold a child's details).
            reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
            raise UserError(say(f"数据库出错：{reason}", f"database error: {reason}")) from None


@click.group(cls=GuanaiGroup)
@click.option(
    "--db", "database_url", metavar="URL", help="数据库地址（SQLAlchemy URL）/ database URL"
)
@click.option(
    "--config", "config_path", type=click.Path(path_type=Path), help="配置文件 / config file"
)
@click.option("--lang", type=click.Choice(["zh", "en"]), help="界面语言 / language")
@click.option(
    "--as", "actor", metavar="NAME", help="操作人（记入审计）/ acting user, for the audit trail"
)
@click.version_option(package_name="guanai")
@click.pass_context
def cli(
    ctx: click.Context,
    database_url: str | None,
    config_path: Path | None,
    lang: str | None,
    actor: str | None,
) -> None:
    """关爱：留守儿童关爱工作的学期计划与流程引擎。

    guanai: the term planner and workflow engine of a school's care programme for
    left-behind children.
    """
    # before the settings are read, so that their errors are in the language asked for
    set_language(lang or LANGUAGES[0])
    try:
        settings = load_settings(config_path)
    except GuanaiError as error:
        raise UserError(str(error)) from None
    set_language(lang or settings.language)
    if database_url:
        settings = Settings(**{**vars(settings), "database_url": database_url})
    pm = ctx.obj if isinstance(ctx.obj, GuanaiPluginManager) else build_plugin_manager()
    report_plugin_problems(pm)
    service = Guanai(settings, pm, actor or acting_user(settings))
    ctx.obj = service
    ctx.call_on_close(service.close)
    ctx.call_on_close(lambda: report_plugin_problems(pm))


def _attach_builtin_commands() -> None:
    from guanai.cli import (
        accounts_commands,
        caseplan_commands,
        dashboard,
        engine_commands,
        export_commands,
        pairing_commands,
        plugin_commands,
        records_commands,
        reminder_commands,
        repair_commands,
        roster_commands,
        school_commands,
        serve_command,
        setup_commands,
        task_commands,
        views,
    )

    for module in (
        setup_commands,
        school_commands,
        roster_commands,
        records_commands,
        pairing_commands,
        caseplan_commands,
        export_commands,
        accounts_commands,
        engine_commands,
        task_commands,
        repair_commands,
        reminder_commands,
        views,
        dashboard,
        plugin_commands,
        serve_command,
    ):
        for command in module.COMMANDS:
            cli.add_command(command)


_attach_builtin_commands()


def main() -> None:
    """Console entry point: load plugins, let them add commands, then run."""
    pm = build_plugin_manager()
    pm.hook.register_commands(cli=cli)
    cli(obj=pm, prog_name="guanai")


__all__ = ["cli", "main", "say"]
