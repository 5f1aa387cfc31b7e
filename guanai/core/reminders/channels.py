"""Reminder channels: the base class plugins subclass, their options, and the registry.

A channel is registered through the ``register_channels`` hook and switched on by naming it
in ``[reminders] channels``; its settings are the ``[channels.NAME]`` table of the config
file, with ``GUANAI_CHANNEL_NAME_KEY`` environment variables over it (for secrets).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from guanai.core.config import Settings
from guanai.core.errors import ConfigError, GuanaiError, PluginError
from guanai.core.i18n import Label
from guanai.core.reminders.message import Message

if TYPE_CHECKING:  # the public API (import guanai) should not load SQLAlchemy
    from sqlalchemy.orm import Session


class DeliveryError(GuanaiError):
    """A send that failed.

    ``permanent``: trying again cannot help (no address, say), so the reminder is marked
    failed at once instead of being retried. ``possibly_delivered``: the failure came after
    the receiving system may have taken the message (the message was sent, then its answer
    timed out or the connection broke), so the retry may deliver it a second time; the
    outbox row is marked as possibly delivered, as after a daemon that died mid-send.
    """

    def __init__(
        self, message: Label, *, permanent: bool = False, possibly_delivered: bool = False
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.possibly_delivered = possibly_delivered


@dataclass(frozen=True)
class Delivery:
    """What a channel gets beside the message.

    ``session`` is the transaction that records the message as sent: a channel that stores
    its delivery in the database (``stores_in_database = True``, like the in-app inbox)
    writes through it, so the delivery and the record of it commit together. Other channels
    are called outside any transaction and must not use it (it is None for them).
    """

    session: Session | None
    now: datetime

    def to_inbox(self, message: Message) -> None:
        """Put ``message`` in guanai's in-app inbox (what the dashboard shows), in the
        transaction that records it as sent: for ``stores_in_database`` channels only."""
        from guanai.core.models import InboxItem  # the ORM only when a reminder is stored

        if self.session is None:
            raise RuntimeError("to_inbox needs the delivery's transaction (stores_in_database)")
        self.session.add(
            InboxItem(
                outbox_id=message.id,
                school_id=message.recipient.school_id,
                teacher_id=message.recipient.teacher_id,
                kind=message.kind,
                payload=message.content.as_payload(),
                created_at=self.now,
            )
        )


class ChannelOptions:
    """A channel's ``[channels.NAME]`` table, read with checks that name the key on error."""

    def __init__(self, channel: str, values: Mapping[str, Any], source: str) -> None:
        self.channel = channel
        self.values = dict(values)
        self.source = source

    def fail(self, key: str, zh: str, en: str) -> ConfigError:
        """An error naming ``key`` (and its environment variable) in the config file."""
        where = f"channels.{self.channel}.{key}"
        variable = f"GUANAI_CHANNEL_{self.channel.upper()}_{key.upper()}"
        return ConfigError(
            Label(
                f"配置文件 {self.source}：{where}（或环境变量 {variable}）{zh}",
                f"config file {self.source}: {where} (or variable {variable}) {en}",
            )
        )

    def string(self, key: str, default: str | None = None) -> str:
        value = self.values.get(key, default)
        if value is None or value == "":
            raise self.fail(key, "未设置", "is not set")
        if not isinstance(value, str):
            raise self.fail(key, "应为字符串", "must be a string")
        return value

    def optional_string(self, key: str) -> str | None:
        return self.string(key) if self.values.get(key) not in (None, "") else None

    def integer(self, key: str, default: int) -> int:
        value = self.values.get(key, default)
        if isinstance(value, str) and re.fullmatch(r"\d+", value.strip()):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(key, "应为非负整数", "must be a whole number")
        return value

    def number(self, key: str, default: float) -> float:
        """A finite number more than 0 (a time-out, say), from a number or a string."""
        value = self.values.get(key, default)
        try:
            if isinstance(value, bool):
                raise TypeError(value)
            number = float(value)
        except (TypeError, ValueError):
            raise self.fail(key, "应为数字", "must be a number") from None
        if not math.isfinite(number):
            raise self.fail(key, "应为有限的数字", "must be a finite number")
        if number <= 0:
            raise self.fail(key, "应大于 0", "must be more than 0")
        return number

    def boolean(self, key: str, default: bool) -> bool:
        value = self.values.get(key, default)
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            value = value.lower() in ("true", "1")
        if not isinstance(value, bool):
            raise self.fail(key, "应为 true 或 false", "must be true or false")
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.string(key, default)
        if value not in choices:
            raise self.fail(key, f"应为 {' / '.join(choices)}", f"must be {' / '.join(choices)}")
        return value

    def table(self, key: str) -> dict[str, str]:
        value = self.values.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.fail(key, "应为字符串表", "must be a table of strings")
        return dict(value)


class Channel:
    """A way reminders reach people. Subclass it, set ``name`` and ``title``, implement
    :meth:`send`, and register the class through ``register_channels``.

    The class is instantiated once per daemon with its options; it should read and check
    them in ``__init__`` (raise :class:`guanai.ConfigError` through ``options``), so that a
    wrong setting stops ``guanai run`` at start rather than failing every send.
    """

    name: ClassVar[str] = ""
    title: ClassVar[Label] = Label("", "")
    stores_in_database: ClassVar[bool] = False
    personal: ClassVar[bool] = False
    """True when a message reaches its recipient alone (an e-mail to their own address): a
    reminder to a teacher then carries a sign-in link to their phone page, which acts as
    their account. A channel whose messages others read too (a group robot) leaves it False,
    as does the in-app inbox, which is read signed in already."""

    def __init__(self, options: ChannelOptions) -> None:
        self.options = options

    def send(self, message: Message, delivery: Delivery) -> None:
        """Deliver ``message`` or raise. :class:`DeliveryError` with ``permanent=True`` marks
        it failed at once; any other exception is retried with backoff. Raise it with
        ``possibly_delivered=True`` when the failure came after the message was handed over
        (its answer timed out): the retry is then marked as a possible duplicate. A bare
        :class:`TimeoutError` is taken to mean the same, since guanai cannot tell when it
        struck."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections; called when the daemon stops."""


_NAME = re.compile(r"^[a-z][a-z0-9]{0,39}$")


def check_channel(channel: object, plugin: str) -> type[Channel]:
    """The class if it is a valid channel, else a PluginError naming the plugin and reason."""
    problem: Label | None = None
    if not (isinstance(channel, type) and issubclass(channel, Channel)):
        problem = Label("不是 guanai.Channel 的子类", "is not a subclass of guanai.Channel")
    elif not _NAME.match(channel.name):
        problem = Label(
            "的 name 应为小写字母和数字（以字母开头）",
            "needs a name of lower-case letters and digits, starting with a letter",
        )
    elif not (isinstance(channel.title, Label) and channel.title.zh and channel.title.en):
        problem = Label("缺少中英文标题 title", "needs a title in Chinese and English")
    elif channel.send is Channel.send:
        problem = Label("没有实现 send", "does not implement send")
    if problem is not None:
        raise PluginError(
            Label(
                f"插件 {plugin} 的提醒渠道 {channel!r} {problem.zh}",
                f"plugin {plugin}: reminder channel {channel!r} {problem.en}",
            )
        )
    return channel  # type: ignore[return-value]


def open_channels(types: Mapping[str, type[Channel]], settings: Settings) -> dict[str, Channel]:
    """An instance of every channel named in ``[reminders] channels``, with its options."""
    opened: dict[str, Channel] = {}
    for name in settings.reminders.channels:
        if name not in types:
            installed = ", ".join(sorted(types)) or "-"
            raise ConfigError(
                Label(
                    f"配置文件 {settings.source}：reminders.channels 中的渠道 {name} 未安装"
                    f"（已安装：{installed}）",
                    f"config file {settings.source}: reminders.channels names {name}, which is"
                    f" not installed (installed: {installed})",
                )
            )
        options = ChannelOptions(name, settings.channels.get(name, {}), settings.source)
        opened[name] = types[name](options)
    return opened
