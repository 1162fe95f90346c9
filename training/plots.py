"""The self-improvement loop's plot, and the figure helpers every plot of this project uses.

Figures are built as :class:`matplotlib.figure.Figure` objects without ``pyplot``, so drawing
neither needs a display nor changes the backend of the process that asks for it; matplotlib is
imported when a plot is drawn. A plot with nothing to show still writes its PNG, saying so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["draw_nothing", "new_figure", "plot_iterations"]

_SIZE = (7.0, 4.2)
_DPI = 100


def new_figure() -> tuple[Figure, Axes]:
    """A figure of the project's plot size with one set of axes, laid out to fit."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=_SIZE, dpi=_DPI, layout="constrained")
    return figure, figure.subplots()


def draw_nothing(ax: Axes, text: str) -> None:
    """Say on ``ax`` why there is nothing to plot, with no ticks."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555")
    ax.set_xticks([])
    ax.set_yticks([])


def plot_iterations(rows: Sequence[Mapping[str, object]], path: Path) -> Path:
    """Score after each self-improvement iteration: on the tasks, held-out and test-time sets."""
    figure, ax = new_figure()
    series = [("score", "tasks"), ("held_out", "held-out tasks"), ("test_time", "test-time tasks")]
    drawn = False
    for key, label in series:
        points = [(r["iteration"], r[key]) for r in rows if r.get(key) is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            (line,) = ax.plot(xs, ys, "o-", label=label)
            drawn = True
            # --frontier: one vote over every round's programs so far (round 0: its own search)
            if any(f"{key}_so_far" in r for r in rows):
                pooled = [
                    (r["iteration"], r.get(f"{key}_so_far", r[key])) for r in rows if key in r
                ]
                xs, ys = zip(*pooled, strict=True)
                ax.plot(xs, ys, "s--", color=line.get_color(), label=f"{label}, all rounds")
    if drawn:
        ax.set_ylim(0, 1)
        ax.set_xlabel("iteration (0 = base model)")
        ax.set_ylabel("official score")
        ax.set_xticks(sorted({int(r["iteration"]) for r in rows}))  # type: ignore[call-overload]
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left")
    else:
        draw_nothing(ax, "no scored search yet")
    ax.set_title("Self-improvement")
    figure.savefig(path)
    return path
