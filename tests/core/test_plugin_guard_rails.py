"""A broken plugin is named, with the reason, and contained: the other plugins keep working.

Plugins here are small objects registered on a manager built without entry points; the
import-failure and entry-point cases use fake distributions put on ``sys.path`` (a package and
its ``.dist-info`` with an ``entry_points.txt``), which ``importlib.metadata`` finds exactly as
it finds an installed plugin.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from guanai import ActivityType, Coverage, Label, Role, Step, hookimpl
from guanai.cli import cli
from guanai.core.errors import PluginError
from guanai.core.i18n import set_language
from guanai.core.pm import BUILTIN_PLUGINS, GuanaiPluginManager, build_plugin_manager


class Outing(ActivityType):
    name = "outing"
    title = Label("春游", "Spring outing")
    covers = Coverage.SCHOOL
    steps = (Step("hold", Label("组织春游", "Hold the outing"), Role.COORDINATOR),)


class Untitled(ActivityType):
    name = "untitled"
    covers = Coverage.SCHOOL
    steps = (Step("hold", Label("举办", "Hold"), Role.COORDINATOR),)


class Roleless(ActivityType):
    name = "roleless"
    title = Label("无人负责", "Nobody's job")
    covers = Coverage.SCHOOL
    steps = (Step("hold", Label("举办", "Hold"), None),)  # type: ignore[arg-type]


class HalfSheet(ActivityType):
    name = "half_sheet"
    title = Label("春游", "Spring outing")
    ledger_sheet = Label("春游记录", "")  # no English
    steps = (Step("hold", Label("组织春游", "Hold the outing"), Role.COORDINATOR),)


class TalkAgain(ActivityType):
    name = "talk"  # the built-in talks plugin registered it first
    title = Label("又一个谈心", "Another talk")
    covers = Coverage.SCHOOL
    steps = (Step("hold", Label("举办", "Hold"), Role.COORDINATOR),)


class TypesPlugin:
    """Registers the given classes, in order."""

    def __init__(self, *types: type) -> None:
        self.types = types

    @hookimpl
    def register_activity_types(self, register):
        for activity_type in self.types:
            register(activity_type)


class TypoPlugin:
    @hookimpl
    def register_activity_type(self, register):  # one letter short of the hook's name
        register(Outing)

    @hookimpl
    def register_channels(self, register):
        pass


class UnknownHookPlugin:
    @hookimpl
    def plan_printed(self, summary):
        pass


class ExtraArgumentPlugin:
    @hookimpl
    def register_activity_types(self, register):
        register(Outing)

    @hookimpl
    def task_completed(self, task_id, mood):  # no hook passes `mood`
        pass


@pytest.fixture
def pm() -> GuanaiPluginManager:
    return build_plugin_manager(load_entry_points=False)


@pytest.fixture
def english() -> None:
    """Problems are worded in the language of the moment they are met (reset after each test)."""
    set_language("en")


def reasons(pm: GuanaiPluginManager, plugin: str) -> list[str]:
    return [p.reason for p in pm.problems if p.plugin == plugin]


def test_a_hook_implementation_matching_no_hook_is_reported_with_a_suggestion(pm):
    assert pm.load(TypoPlugin(), "typo") is True
    [reason] = reasons(pm, "typo")
    assert "register_activity_type " in reason or "register_activity_type，" in reason
    assert "typo" in reason and "register_activity_types" in reason  # did you mean ...


def test_an_unknown_hook_without_a_near_miss_is_reported_without_a_suggestion(pm):
    pm.load(UnknownHookPlugin(), "unknown")
    [reason] = reasons(pm, "unknown")
    assert "plan_printed" in reason and "是否想写" not in reason


def test_the_unknown_hook_is_reported_in_english_too(pm, english):
    pm.load(TypoPlugin(), "typo")
    assert reasons(pm, "typo") == [
        "plugin typo: hook implementation register_activity_type matches no guanai hook and is "
        "never called (did you mean register_activity_types?)"
    ]


def test_a_plugin_with_an_unknown_hook_keeps_its_other_hooks(pm):
    pm.load(TypoPlugin(), "typo")
    assert "register_channels" in [h.name for h in pm.get_hookcallers(pm.get_plugin("typo"))]
    assert pm.problems and all(p.plugin == "typo" for p in pm.problems)


def test_an_implementation_with_an_argument_its_hook_lacks_leaves_the_plugin_out(pm):
    assert pm.load(ExtraArgumentPlugin(), "extra") is False
    [reason] = reasons(pm, "extra")
    assert "task_completed" in reason and "mood" in reason
    assert pm.get_plugin("extra") is None
    # None of its hooks stayed half-registered: its valid activity type is not there either.
    assert "outing" not in pm.activity_registry()
    assert set(pm.activity_registry()) >= {"talk", "family_phone"}


def test_register_itself_still_raises_for_such_a_plugin(pm):
    import pluggy

    with pytest.raises(pluggy.PluginValidationError):
        pm.register(ExtraArgumentPlugin(), name="extra")


@pytest.mark.parametrize(
    ("activity_type", "fault"),
    [
        (Untitled, "title"),
        (Roleless, "step hold has no role"),
        (TalkAgain, "already registered by guanai.plugins.talks"),
        (HalfSheet, "ledger_sheet must be a Label with both"),
    ],
    ids=["missing title", "step without a role", "duplicate name", "half a ledger sheet name"],
)
def test_an_invalid_activity_type_is_named_and_the_plugins_good_type_still_counts(
    pm, english, activity_type, fault
):
    pm.load(TypesPlugin(activity_type, Outing), "mixed")
    registry = pm.activity_registry()
    [reason] = reasons(pm, "mixed")
    assert fault in reason and "plugin mixed" in reason and activity_type.name in reason
    assert "outing" in registry, "the plugin's valid type registered after the bad one counts"
    assert registry.owners["talk"] == "guanai.plugins.talks", "the first registration wins"
    assert len(set(registry)) == 18  # the 17 built-in types and the plugin's outing


def test_a_problem_is_reported_once_however_often_the_registry_is_asked_for(pm):
    pm.load(TypesPlugin(Untitled), "untitled")
    pm.activity_registry()
    pm.activity_registry()
    assert len(reasons(pm, "untitled")) == 1


def test_a_registration_hook_that_raises_is_contained(pm):
    class Raising:
        @hookimpl
        def register_activity_types(self, register):
            register(Outing)
            raise RuntimeError("boom")

    pm.load(Raising(), "raising")
    registry = pm.activity_registry()
    assert "outing" in registry and "talk" in registry
    assert reasons(pm, "raising") == ["RuntimeError('boom')"]


# --- installed plugins: fake distributions on sys.path -----------------------------------------


def make_distribution(root: Path, name: str, entry_points: dict[str, str], code: str) -> None:
    """A package ``<name>`` and its ``.dist-info`` declaring ``entry_points`` in group guanai."""
    package = root / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(code, encoding="utf-8")
    info = root / f"{name}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2.3\n", encoding="utf-8"
    )
    lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[guanai]\n{lines}", encoding="utf-8")


GOOD_PLUGIN = """
from guanai import ActivityType, Coverage, Label, Role, Step, hookimpl


class Outing(ActivityType):
    name = "outing"
    title = Label("春游", "Spring outing")
    covers = Coverage.SCHOOL
    steps = (Step("hold", Label("组织春游", "Hold the outing"), Role.COORDINATOR),)


@hookimpl
def register_activity_types(register):
    register(Outing)
"""

BROKEN_PLUGIN = "import guanai_no_such_module_anywhere\n"


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Two fake installed plugins: ``outing`` (works) and ``broken`` (its import fails)."""
    site = tmp_path / "site"
    make_distribution(site, "guanai_outing", {"outing": "guanai_outing"}, GOOD_PLUGIN)
    make_distribution(site, "guanai_broken", {"broken": "guanai_broken"}, BROKEN_PLUGIN)
    monkeypatch.syspath_prepend(str(site))
    yield site
    for module in ("guanai_outing", "guanai_broken"):
        sys.modules.pop(module, None)


def test_an_import_failure_is_named_and_the_other_plugins_load(installed):
    pm = build_plugin_manager()
    [problem] = pm.problems
    assert problem.plugin == "broken"
    assert "guanai_broken" in problem.reason and "ModuleNotFoundError" in problem.reason
    assert "guanai_no_such_module_anywhere" in problem.reason
    assert pm.get_plugin("broken") is None
    assert "outing" in pm.activity_registry()
    assert pm.version_of("outing") == "1.2.3"


def test_load_plugins_restricts_installed_plugins_by_name(installed, monkeypatch):
    monkeypatch.setenv("GUANAI_LOAD_PLUGINS", " outing ,")
    pm = build_plugin_manager()
    assert pm.problems == [], "broken was never imported"
    assert pm.get_plugin("outing") is not None
    assert all(pm.get_plugin(name) is not None for name in BUILTIN_PLUGINS), "built-ins load"


def test_load_plugins_set_but_empty_loads_no_installed_plugin(installed, monkeypatch):
    monkeypatch.setenv("GUANAI_LOAD_PLUGINS", "")
    pm = build_plugin_manager()
    assert pm.get_plugin("outing") is None and pm.problems == []


def test_disable_plugins_blocks_installed_and_builtin_plugins_and_wins(installed, monkeypatch):
    monkeypatch.setenv("GUANAI_LOAD_PLUGINS", "outing,broken")
    monkeypatch.setenv("GUANAI_DISABLE_PLUGINS", "broken, guanai.plugins.new_year_party")
    pm = build_plugin_manager()
    assert pm.problems == []
    assert pm.get_plugin("outing") is not None
    assert pm.get_plugin("guanai.plugins.new_year_party") is None
    assert "new_year_party" not in pm.activity_registry()


def test_plugins_json_names_every_plugin_with_version_hooks_and_error(installed, monkeypatch):
    result = CliRunner().invoke(cli, ["--lang", "en", "plugins", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["outing"] == {
        "name": "outing",
        "version": "1.2.3",
        "hooks": ["register_activity_types"],
        "activity_types": ["outing"],
        "error": None,
    }
    broken = rows["broken"]
    assert broken["version"] == "1.2.3" and broken["hooks"] == []
    assert "could not be imported" in broken["error"]
    assert "guanai_no_such_module_anywhere" in broken["error"]
    assert rows["guanai.plugins.talks"]["error"] is None


def test_plugins_json_lists_only_real_hooks_and_the_unknown_one_as_an_error(pm, english):
    pm.load(TypoPlugin(), "typo")
    pm.load(ExtraArgumentPlugin(), "extra")
    result = CliRunner().invoke(cli, ["--lang", "en", "plugins", "--json"], obj=pm)
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["typo"]["hooks"] == ["register_channels"]
    assert "did you mean register_activity_types?" in rows["typo"]["error"]
    assert rows["extra"]["hooks"] == [] and "mood" in rows["extra"]["error"]


def test_an_invalid_channel_is_listed_by_plugins(pm, english):
    class NoSend:
        @hookimpl
        def register_channels(self, register):
            from guanai import Channel

            class Pigeon(Channel):
                name = "pigeon"
                title = Label("信鸽", "Pigeon")

            register(Pigeon)

    pm.load(NoSend(), "pigeon")
    result = CliRunner().invoke(cli, ["--lang", "en", "plugins", "--json"], obj=pm)
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert "does not implement send" in rows["pigeon"]["error"]


# --- one collector for every registration hook ----------------------------------------------


class ChannelsPlugin:
    """Registers a second ``inbox`` (the built-in inbox plugin has it) and a ``pigeon``."""

    @hookimpl
    def register_channels(self, register):
        from guanai import Channel

        class Inbox(Channel):
            name = "inbox"
            title = Label("又一个站内信", "Another inbox")

            def send(self, message, delivery):
                pass

        class Pigeon(Channel):
            name = "pigeon"
            title = Label("信鸽", "Pigeon")

            def send(self, message, delivery):
                pass

        register(Inbox)
        register(Pigeon)
        raise RuntimeError("after two channels")


@pytest.fixture
def channels_plugin(pm: GuanaiPluginManager) -> Iterator[str]:
    try:
        assert pm.load(ChannelsPlugin(), "channels")
        yield "channels"
    finally:
        pm.unregister(name="channels")


def test_a_duplicate_channel_is_refused_the_first_wins_and_a_raise_keeps_earlier_ones(
    pm, english, channels_plugin
):
    channels = pm.channel_types()
    assert channels["inbox"].__module__ == "guanai.plugins.channels.inbox", "the first wins"
    assert "pigeon" in channels, "registered before the implementation raised: kept"
    assert reasons(pm, "channels") == [
        "plugin channels: reminder channel inbox is already registered by "
        "guanai.plugins.channels.inbox",
        "RuntimeError('after two channels')",
    ]
    assert pm.channel_types() is channels, "collected once per set of plugins"
    assert len(reasons(pm, "channels")) == 2


def test_registering_or_unregistering_a_plugin_collects_again(pm, channels_plugin):
    before = pm.channel_types()
    pm.unregister(name="channels")
    after = pm.channel_types()
    assert after is not before and "pigeon" not in after
    pm.load(ChannelsPlugin(), "channels")
    assert "pigeon" in pm.channel_types()


def test_the_collector_takes_any_registration_hook_and_validator(pm, english):
    """``collect`` is what activity types, channels and panels are collected with."""

    class Numbers:
        @hookimpl
        def register_activity_types(self, register):
            register("seven")
            register(7)
            register("seven")

    def validate(contribution: object, plugin: str) -> str:
        if not isinstance(contribution, str):
            raise PluginError(Label("不是文字", f"plugin {plugin}: {contribution!r} is no text"))
        return contribution.upper()

    try:
        pm.load(Numbers(), "numbers")
        found = pm.collect(
            "register_activity_types",
            lambda c, p: validate(c, p) if p == "numbers" else c.name,
            key=str,
            what=Label("文字", "text"),
        )
        assert found.items["SEVEN"] == "SEVEN" and found.owners["SEVEN"] == "numbers"
        assert found.owners["talk"] == "guanai.plugins.talks"
        assert reasons(pm, "numbers") == [
            "plugin numbers: 7 is no text",
            "plugin numbers: text SEVEN is already registered by numbers",
        ]
    finally:
        pm.unregister(name="numbers")
