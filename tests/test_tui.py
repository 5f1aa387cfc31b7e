"""The dashboard shell: panels come from the register_panels hook, keys switch them, ? lists
every key, the command palette finds panels and actions, and l switches the language."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from sqlalchemy import Engine
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static, TabbedContent

from guanai import hookimpl
from guanai.core.config import Settings
from guanai.core.i18n import Label, set_language
from guanai.core.pm import build_plugin_manager
from guanai.service import Guanai
from guanai.testing.dashboard import settle
from guanai.tui import GuanaiApp, Panel, collect_panels, described


class WeatherPanel(Panel):
    """A third-party panel: a title, an order and one key."""

    panel_id = "weather"
    title = Label("天气", "Weather")
    order = 15
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "forecast", described(Label("预报", "Forecast")))
    ]

    def compose(self) -> ComposeResult:
        yield Static("晴", id="sky")

    def action_forecast(self) -> None:
        self.query_one("#sky", Static).update("多云")


class WeatherPlugin:
    @hookimpl
    def register_panels(self, register: Callable[[type], None]) -> None:
        register(WeatherPanel)
        register(Static)  # not a panel: reported, left out
        register(WeatherPanel)  # twice: reported, left out


def app_on(engine: Engine, with_weather: bool = False) -> GuanaiApp:
    pm = build_plugin_manager(load_entry_points=False)
    if with_weather:
        pm.register(WeatherPlugin(), name="weather")
    return GuanaiApp(Guanai(Settings(database_url=str(engine.url)), pm, "tester", engine=engine))


def test_built_in_panels_come_through_the_hook_in_order() -> None:
    pm = build_plugin_manager(load_entry_points=False)
    assert [p.panel_id for p in collect_panels(pm)] == [
        "today",
        "term",
        "children",
        "teachers",
        "reminders",
        "case_plans",
        "plugins",
    ]


def test_a_plugin_panel_is_collected_and_bad_registrations_are_reported() -> None:
    pm = build_plugin_manager(load_entry_points=False)
    pm.register(WeatherPlugin(), name="weather")
    assert [p.panel_id for p in collect_panels(pm)][:3] == ["today", "weather", "term"]
    reasons = [p.reason for p in pm.problems if p.plugin == "weather"]
    assert len(reasons) == 2
    assert "无效" in reasons[0] and "重复" in reasons[1]


async def test_number_keys_switch_panels_and_panel_keys_work(engine: Engine) -> None:
    app = app_on(engine, with_weather=True)
    async with app.run_test(size=(80, 24)) as pilot:
        tabs = app.query_one(TabbedContent)
        assert tabs.active == "tab-today"
        await pilot.pause()  # the first panel takes the focus
        await pilot.press("2")
        assert tabs.active == "tab-weather"
        await pilot.press("w")
        assert str(app.query_one("#sky", Static).render()) == "多云"
        await pilot.press("8")
        assert tabs.active == "tab-plugins"
        await pilot.press("9")  # no ninth panel: nothing happens
        assert tabs.active == "tab-plugins"
        await pilot.press("q")
    assert app.return_code == 0


async def test_help_lists_the_app_keys_and_the_current_panels_keys(engine: Engine) -> None:
    app = app_on(engine, with_weather=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()  # the first panel takes the focus
        await pilot.press("2", "question_mark")
        table = app.screen.query_one("#help-keys", DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(n)) for n in range(table.row_count)]
        assert ("^q q", "退出") in rows and ("? f1", "帮助") in rows
        assert ("w", "预报") in rows and ("^p", "命令面板") in rows
        await pilot.press("escape")
        assert not app.screen.query("#help-keys")
        await pilot.press("f1")
        assert app.screen.query("#help-keys")


async def test_the_command_palette_switches_panels_and_runs_panel_actions(engine: Engine) -> None:
    set_language("en")  # the palette's search is typed; the fixture restores Chinese
    app = app_on(engine, with_weather=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()  # the first panel takes the focus
        await pilot.press("ctrl+p")
        await pilot.press(*"go to weather")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "tab-weather"
        await pilot.press("ctrl+p", *"forecast")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert str(app.query_one("#sky", Static).render()) == "多云"


async def test_l_switches_every_label_to_english_and_back(engine: Engine) -> None:
    app = app_on(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7")
        await pilot.press("l")
        await pilot.pause()
        assert "Plugins" in str(app.query_one(TabbedContent).get_tab("tab-plugins").label)
        assert "No plugin failed." in str(app.query_one("#plugin-problems", Static).render())
        await pilot.press("l")
        await pilot.pause()
        assert "插件" in str(app.query_one(TabbedContent).get_tab("tab-plugins").label)


async def test_a_key_pressed_right_after_start_up_is_acted_on(engine: Engine) -> None:
    app = app_on(engine, with_weather=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")  # no pause first: the app is still mounting its panels
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "tab-weather"
        await pilot.press("w")
        assert str(app.query_one("#sky", Static).render()) == "多云"


async def test_switching_the_language_keeps_the_panel_on_show(engine: Engine) -> None:
    app = app_on(engine, with_weather=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2", "l")
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "tab-weather"
        assert "Weather" in str(app.query_one(TabbedContent).get_tab("tab-weather").label)
        await pilot.press("w")  # the panel's keys still work, in the new language
        assert str(app.query_one("#sky", Static).render()) == "多云"


async def test_localize_bindings_shows_described_keys_in_the_current_language(
    engine: Engine,
) -> None:
    """Pins the one use of Textual's private binding map (``localize_bindings``): the
    footer's bindings (public ``active_bindings``) carry one language, and follow a switch;
    Textual's own bindings are kept."""
    app = app_on(engine, with_weather=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        app.query_one(WeatherPanel).focus()  # its keys are active while it has the focus
        await settle(pilot)

        def shown() -> dict[str, str]:
            return {k: b.binding.description for k, b in app.screen.active_bindings.items()}

        assert shown()["w"] == "预报" and shown()["q"] == "退出"
        assert "ctrl+q" in shown()  # Textual's own quit binding survives
        await pilot.press("l")
        await settle(pilot)
        app.query_one(WeatherPanel).focus()  # a new panel, built in English
        await settle(pilot)
        assert shown()["w"] == "Forecast" and shown()["q"] == "Quit"
        footer = " ".join(str(key.render()) for key in app.query("FooterKey"))
        assert "Forecast" in footer and "\t" not in footer


async def test_a_plugin_panels_title_is_shown_as_text_not_markup(engine: Engine) -> None:
    class MarkupPanel(WeatherPanel):
        panel_id = "markup"
        title = Label("[b]天气[/b] [@click=app.quit]", "[b]Weather[/b]")

    class MarkupPlugin:
        @hookimpl
        def register_panels(self, register: Callable[[type], None]) -> None:
            register(MarkupPanel)

    pm = build_plugin_manager(load_entry_points=False)
    pm.register(MarkupPlugin(), name="markup")
    app = GuanaiApp(Guanai(Settings(database_url=str(engine.url)), pm, "tester", engine=engine))
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        label = app.query_one(TabbedContent).get_tab("tab-markup").label
        assert str(label) == "2 [b]天气[/b] [@click=app.quit]"
