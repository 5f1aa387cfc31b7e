"""``guanai run`` (the daemon) and ``guanai outbox`` (list and retry reminders)."""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from signal import SIGINT, SIGTERM
from types import FrameType

import click
from rich.table import Table

from guanai.cli.context import ROW_ID, UserError, console, pass_service, say
from guanai.cli.times import school_time, zoned
from guanai.core.i18n import Label
from guanai.core.logs import configure_logging
from guanai.core.reminders.outbox import FAILED, PENDING, SENDING, SENT
from guanai.daemon import Clock, Daemon, SimulatedClock, WallClock
from guanai.service import Guanai

STATE_LABELS = {
    PENDING: Label("待发送", "pending"),
    SENDING: Label("发送中", "sending"),
    SENT: Label("已发送", "sent"),
    FAILED: Label("失败", "failed"),
}
KIND_LABELS = {
    "digest": Label("每日待办", "daily digest"),
    "escalation": Label("逾期上报", "escalation"),
    "weekly": Label("每周小结", "weekly summary"),
}


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM or SIGINT: finish the message in hand, record it, stop. A second one: now.
    The previous handlers come back afterwards."""

    def handle(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise SystemExit(128 + signum)
        stop.set()

    previous = {number: signal.signal(number, handle) for number in (SIGTERM, SIGINT)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _simulated(service: Guanai, start: datetime, until: datetime | None, step: int) -> Clock:
    if until is None:
        raise UserError(say("--from 需要同时给出 --until", "--from needs --until"))
    tz = service.calendar().tz
    return SimulatedClock(
        start.replace(tzinfo=tz), until.replace(tzinfo=tz), timedelta(minutes=step)
    )


@click.command()
@click.option("--once", is_flag=True, help="只运行一轮后退出 / run one cycle, then exit")
@click.option(
    "--name",
    help="本守护进程的固定名称，须唯一；重启后立即收回上次未发完的提醒（默认 主机:进程号）"
    " / a stable, unique name: a restart takes back at once what it held",
)
@click.option(
    "--log-format",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="日志格式 / log format",
)
@click.option(
    "--from",
    "start",
    type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
    help="模拟时钟起点（演练用）/ simulated clock: start",
)
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
    help="模拟时钟终点 / simulated clock: end",
)
@click.option(
    "--step-minutes",
    default=60,
    show_default=True,
    type=click.IntRange(1),
    help="模拟时钟每轮前进的分钟数 / simulated minutes per cycle",
)
@pass_service
def run(
    service: Guanai,
    once: bool,
    name: str | None,
    log_format: str,
    start: datetime | None,
    until: datetime | None,
    step_minutes: int,
) -> None:
    """运行守护进程：按时推进任务并发送提醒 / Run the daemon: tick on schedule, send reminders.

    Stops cleanly on SIGTERM or Ctrl-C. With --from/--until it runs a simulated clock.
    """
    configure_logging(log_format)
    clock = _simulated(service, start, until, step_minutes) if start else WallClock()
    stop = threading.Event()
    worker = name or f"{socket.gethostname()}:{os.getpid()}"
    daemon = Daemon(service, worker, clock, stop, once, bool(name))
    with _stop_on_signals(stop):
        daemon.run()


@click.group(invoke_without_command=True)
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice([PENDING, SENDING, SENT, FAILED]),
    help="只列出这些状态 / only these states",
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1))
@click.pass_context
def outbox(click_context: click.Context, states: tuple[str, ...], limit: int) -> None:
    """列出提醒：待发送、已发送、失败 / List reminders: pending, sent and failed."""
    if click_context.invoked_subcommand is not None:
        return
    service = click_context.find_object(Guanai)
    assert service is not None
    counts = service.outbox_counts()
    rows = service.outbox(states=states, limit=limit)
    totals = {state: sum(n for (s, _), n in counts.items() if s == state) for state in STATE_LABELS}
    console.print(
        "  ".join(f"{STATE_LABELS[state]} {totals[state]}" for state in STATE_LABELS),
        style="bold",
    )
    table = Table()
    for header in (
        Label("编号", "id"),
        Label("类型", "kind"),
        Label("渠道", "channel"),
        Label("收件人", "recipient"),
        Label("状态", "state"),
        Label("次数", "tries"),
        zoned(Label("时间", "time")),
        Label("原因", "last error"),
    ):
        table.add_column(str(header), overflow="fold")
    for row in rows:
        when = row.sent_at or row.next_attempt_at or row.created_at
        table.add_row(
            str(row.id),
            str(KIND_LABELS.get(row.kind, Label(row.kind, row.kind))),
            row.channel,
            row.recipient,
            str(STATE_LABELS.get(row.state, Label(row.state, row.state))),
            str(row.attempts),
            school_time(when),
            row.last_error or "",
        )
    console.print(table)


@outbox.command()
@click.argument("ids", nargs=-1, type=ROW_ID)
@click.option("--all", "everything", is_flag=True, help="重发全部失败的提醒 / all failed ones")
@pass_service
def retry(service: Guanai, ids: tuple[int, ...], everything: bool) -> None:
    """重新发送失败的提醒 / Queue failed reminders again."""
    if not ids and not everything:
        raise UserError(say("请给出提醒编号，或用 --all", "give reminder ids, or --all"))
    count = service.retry_outbox(None if everything else ids)
    console.print(say(f"已重新排队 {count} 条提醒。", f"{count} reminders queued again."))


COMMANDS = (run, outbox)
