"""A horizontal bar chart in plain Textual: one line per bar, drawn to the widget's width."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from guanai.tui import Bar

EIGHTHS = " ▏▎▍▌▋▊▉"


def bar_line(bar: Bar, label_width: int, width: int) -> Text:
    """``label  ████▌░░░  value/total pct``, the bar filled in eighths of a cell."""
    numbers = f" {bar.value}/{bar.total} {100 * bar.value // bar.total if bar.total else 0:>3}%"
    room = max(width - label_width - cell_len(numbers) - 2, 4)
    filled = room * 8 * bar.value // bar.total if bar.total else 0
    full, part = divmod(filled, 8)
    blocks = "█" * full + (EIGHTHS[part] if part else "")
    label = bar.label + " " * (label_width - cell_len(bar.label))
    line = Text(label + " ")
    line.append(blocks, style="green" if bar.value >= bar.total else "yellow")
    line.append("░" * (room - cell_len(blocks)), style="dim")
    line.append(numbers)
    return line


class BarChart(Widget):
    """Bars of ``value`` against ``total``; a title line first."""

    DEFAULT_CSS = "BarChart { height: auto; }"

    def __init__(self, title: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.bars: list[Bar] = []

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = bars
        self.refresh(layout=True)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return 1 + max(len(self.bars), 1)

    def render(self) -> Text:
        width = self.size.width
        lines = [Text(self.title, style="bold")]
        label_width = max((cell_len(b.label) for b in self.bars), default=0)
        lines += [bar_line(bar, label_width, width) for bar in self.bars] or [Text("-")]
        return Text("\n").join(lines)
