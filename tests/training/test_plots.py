"""The self-improvement plot."""

from __future__ import annotations

from matplotlib.figure import Figure
from soar.training.plots import plot_iterations


def test_pooled_scores_are_drawn_beside_each_rounds_own(tmp_path, monkeypatch):
    drawn = []
    save = Figure.savefig

    def keep(figure, *args, **kwargs):
        drawn.append(figure)
        return save(figure, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    rows = [
        {"iteration": 0, "score": 0.5, "held_out": 0.3, "test_time": 0.2},
        {
            "iteration": 1,
            "score": 0.1,  # --frontier: this round's search alone skips what round 0 solved
            "score_so_far": 0.55,
            "held_out": 0.35,
            "test_time": 0.1,
            "test_time_so_far": 0.25,
        },
    ]
    path = plot_iterations(rows, tmp_path / "improvement.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    lines = {line.get_label(): list(line.get_ydata()) for line in drawn[0].axes[0].get_lines()}
    assert lines == {
        "tasks": [0.5, 0.1],
        "tasks, all rounds": [0.5, 0.55],
        "held-out tasks": [0.3, 0.35],
        "test-time tasks": [0.2, 0.1],
        "test-time tasks, all rounds": [0.2, 0.25],
    }
