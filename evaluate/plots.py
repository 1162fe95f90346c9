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


def rate_bins(times: Sequence[float], bins: int = 100) -> tuple[float, list[int]]:
    """The bin width in seconds and the counts per bin, for about ``bins`` bins over the run.

    The width is the smallest 1, 2 or 5 times a power of ten that covers the run's span in at
    most ``bins`` bins, so a run of 0.06 s gets bins of a millisecond and a day-long run bins of
    some minutes; bins start at the earliest time. All times equal: one bin of 1 s.

    >>> rate_bins([100.0, 101.0, 115.0], bins=10)
    (2.0, [2, 0, 0, 0, 0, 0, 0, 1])
    >>> width, counts = rate_bins([0.0, 0.03, 0.06])
    >>> width, len(counts), sum(counts)
    (0.001, 61, 3)
    """
    if not times:
        return 1.0, []
    start, span = min(times), max(times) - min(times)
    if span <= 0:
        return 1.0, [len(times)]
    scale = 10.0 ** math.floor(math.log10(span / bins))
    width = next(m * scale for m in (1, 2, 5, 10) if m * scale * bins >= span)
    counts = [0] * (int(span / width + 1e-9) + 1)
    for t in times:
        counts[min(int((t - start) / width + 1e-9), len(counts) - 1)] += 1
    return float(f"{width:.12g}"), counts


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
        total = len(times) / (max(times) - min(times) or width)
        ax.set_title(f"Programs per second over time (mean {total:.3g}/s)")
    else:
        draw_nothing(ax, empty)
        ax.set_title("Programs per second over time")
    figure.savefig(path)
    return path
