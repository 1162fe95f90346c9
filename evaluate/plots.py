"""The PNG plots of a run report, drawn with matplotlib's Agg renderer.

Figures are built as :class:`matplotlib.figure.Figure` objects without ``pyplot``, so drawing a
report neither needs a display nor changes the backend of the process that asks for it; matplotlib
is imported when a plot is drawn. Each function writes a PNG even when there is nothing to plot
(the figure then says so), so a report never links to a missing image.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from soar.training.plots import draw_nothing, new_figure

if TYPE_CHECKING:
    from soar.agents.runs.scoring import CurvePoint

__all__ = [
    "plot_accuracy_histogram",
    "plot_programs_per_second",
    "plot_score_curve",
    "rate_bins",
]


def plot_score_curve(path: Path, curve: Sequence[CurvePoint]) -> Path:
    """The official score and the oracle against programs spent per task (log scale)."""
    figure, ax = new_figure()
    if curve:
        budgets = [p.budget for p in curve]
        ax.plot(budgets, [p.score for p in curve], "o-", label="score (vote, 2 attempts)")
        ax.plot(budgets, [p.oracle for p in curve], "s--", label="oracle (any program)")
        ax.set_xscale("log")
        ax.set_ylim(0, 1)
        ax.set_xlabel("programs per task (first n nodes)")
        ax.set_ylabel("mean score over tasks")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(loc="upper left")
    else:
        draw_nothing(ax, "no task with known test outputs: nothing to score")
    ax.set_title("Score against programs spent")
    figure.savefig(path)
    return path


def plot_accuracy_histogram(path: Path, accuracies: Mapping[float, int]) -> Path:
    """How many valid programs reached each train accuracy (counts by accuracy value)."""
    figure, ax = new_figure()
    counts = {acc: n for acc, n in accuracies.items() if n > 0}
    if counts:
        bins = [i / 20 for i in range(21)]
        ax.hist(list(counts), bins=bins, weights=list(counts.values()), edgecolor="white")
        heights = [0] * 20
        for acc, n in counts.items():
            heights[min(int(acc * 20), 19)] += n
        nonzero = [h for h in heights if h]
        if max(nonzero) > 100 * min(nonzero):
            ax.set_yscale("log")
        ax.set_xlim(0, 1)
        ax.set_xlabel("train accuracy (fraction of train pairs right)")
        ax.set_ylabel("valid programs")
    else:
        draw_nothing(ax, "no valid program")
    ax.set_title(f"Train accuracy of {sum(counts.values())} valid programs")
    figure.savefig(path)
    return path


def rate_bins(times: Sequence[float], max_bins: int = 200) -> tuple[float, list[int]]:
    """The bin width in seconds (10 s, or wider to keep at most ``max_bins``) and the counts.

    Bins start at the earliest time; widths are 10 s or 1, 2 or 5 times a power of ten.

    >>> rate_bins([100.0, 101.0, 115.0])
    (10.0, [2, 1])
    >>> width, counts = rate_bins([0.0, 5000.0])
    >>> width, len(counts), sum(counts)
    (50.0, 101, 2)
    """
    if not times:
        return 10.0, []
    start, span = min(times), max(times) - min(times)
    width = 10.0
    if span / width >= max_bins:
        scale = 10 ** math.floor(math.log10(span / max_bins))
        width = next(m * scale for m in (1, 2, 5, 10) if m * scale * max_bins > span)
    counts = [0] * (int(span // width) + 1)
    for t in times:
        counts[int((t - start) // width)] += 1
    return float(width), counts


def plot_programs_per_second(
    path: Path, created: Sequence[float], empty: str = "no node creation times recorded"
) -> Path:
    """Programs per second over the run, from the nodes' creation times (0: not recorded);
    ``empty`` is what the plot says when there are none."""
    figure, ax = new_figure()
    times = [t for t in created if t > 0]
    if times:
        width, counts = rate_bins(times)
        span = width * len(counts)
        unit, scale = (
            ("h", 3600.0) if span > 3 * 3600 else ("min", 60.0) if span > 600 else ("s", 1.0)
        )
        edges = [i * width / scale for i in range(len(counts) + 1)]
        ax.stairs([n / width for n in counts], edges, fill=True, alpha=0.7)
        ax.set_xlabel(f"time since the first node ({unit}); bins of {width:g} s")
        ax.set_ylabel("programs per second")
        ax.set_ylim(bottom=0)
        total = len(times) / max(max(times) - min(times), width)
        ax.set_title(f"Programs per second over time (mean {total:.3g}/s)")
    else:
        draw_nothing(ax, empty)
        ax.set_title("Programs per second over time")
    figure.savefig(path)
    return path
