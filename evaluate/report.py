"""The run report: ``report/index.html`` and its PNG plots, viewable offline.

The page is self-contained (inline CSS, no script, grids as HTML tables in the ARC palette) and
links the plots by relative path, so the ``report`` folder can be copied anywhere. It opens with
the scores and the plots, then a table of tasks, then one collapsed ``<details>`` per task: the
train pairs, each test input with both attempts marked right, wrong or unknown (and the expected
output when known), and the programs behind the attempts (the earliest program of each group).

For an ensemble (several runs' programs voted together, :mod:`soar.agents.runs.ensemble`), the
page lists the member runs and says, under each attempt's program, how many programs of each run
voted for it and which run the program shown came from.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from soar.agents.runs.ensemble import EnsembleScores
from soar.agents.runs.rundir import RunDir
from soar.agents.runs.scoring import RunScores, TaskScore
from soar.arc_env.grid import Grid
from soar.arc_env.task import Task

from .plots import plot_accuracy_histogram, plot_programs_per_second, plot_score_curve

__all__ = ["PLOTS", "write_report"]

PLOTS = ("score_vs_programs.png", "train_accuracy_hist.png", "programs_per_second.png")

_PALETTE = (
    "#000000",  # 0 black
    "#0074D9",  # 1 blue
    "#FF4136",  # 2 red
    "#2ECC40",  # 3 green
    "#FFDC00",  # 4 yellow
    "#AAAAAA",  # 5 grey
    "#F012BE",  # 6 pink
    "#FF851B",  # 7 orange
    "#7FDBFF",  # 8 light blue ("purple")
    "#870C25",  # 9 brown
)
_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}
table.s td,table.s th{padding:2px 10px;text-align:left}
table.t{border-collapse:collapse}table.t td,table.t th{padding:1px 8px;border-bottom:1px solid #ddd}
table.t td{text-align:right}table.t td:first-child{text-align:left}
.plots img{max-width:32%;min-width:300px;border:1px solid #ddd;margin:2px}
details{border-top:1px solid #ccc;padding:4px 0}summary{cursor:pointer;font-family:monospace}
.row{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start;margin:6px 0}
figure{margin:0;padding:4px;border:3px solid transparent}
figcaption{font-size:12px;color:#555}
figure.right{border-color:#2ECC40}figure.wrong{border-color:#FF4136}figure.unknown{border-color:#bbb}
table.g{border-collapse:collapse}table.g td{width:11px;height:11px;padding:0;border:1px solid #555}
pre{background:#f6f6f6;padding:6px;overflow-x:auto;max-height:30em}
.ok{color:#1a7f2a}.bad{color:#c0392b}.na{color:#777}
""" + "".join(f".c{i}{{background:{colour}}}" for i, colour in enumerate(_PALETTE))


def write_report(run: RunDir, tasks: Sequence[Task], scores: RunScores) -> Path:
    """Write ``report/index.html`` and the plots for ``tasks``, as scored in ``scores``.

    Everything shown comes from ``scores`` (node logs are not read again), so the page shows the
    run as it was when scored.

    Returns:
        The path of ``index.html``.
    """
    out = run.report_dir
    out.mkdir(parents=True, exist_ok=True)
    rows = {row.task_id: row for row in scores.tasks}
    ensemble = isinstance(scores, EnsembleScores)
    sources = scores.sources if isinstance(scores, EnsembleScores) else {}
    sections = [
        _task_section(
            task,
            rows.get(task.id),
            scores.attempts.get(task.id, [[] for _ in task.test]),
            scores.stats.programs.get(task.id, ()),
            sources.get(task.id, []),
        )
        for task in tasks
    ]
    plot_score_curve(out / PLOTS[0], scores.curve)
    plot_accuracy_histogram(out / PLOTS[1], scores.stats.train_accuracies)
    if ensemble:  # the members ran at other times: their pooled rate means nothing
        plot_programs_per_second(out / PLOTS[2], [], "an ensemble: see each member run's report")
    else:
        plot_programs_per_second(out / PLOTS[2], scores.stats.created)

    kind = "ensemble" if ensemble else "run"
    title = f"soar {kind} {run.path.resolve().name}"
    page = [
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{_e(title)}</title>",
        f"<style>{_CSS}</style></head><body><h1>{_e(title)}</h1>",
        _summary(scores),
        "<div class=plots>",
        *(f'<img src="{name}" alt="{name}">' for name in PLOTS),
        "</div><h2>Tasks</h2>",
        _task_table(tasks, rows),
        "<h2>Details</h2>",
        *sections,
        "</body></html>\n",
    ]
    index = out / "index.html"
    index.write_text("\n".join(page), encoding="utf-8")
    return index


def _e(text: object) -> str:
    return html.escape(str(text))


def _fraction(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.3f}"


def _summary(scores: RunScores) -> str:
    scored = len(scores.scored)
    items = [
        ("score", f"{_fraction(scores.score)} (mean over {scored} tasks with known outputs)"),
        ("oracle", _fraction(scores.oracle)),
        ("tasks solved", f"{scores.solved} of {scored}"),
        ("tasks requested", len(scores.tasks)),
        ("without attempts", sum(not t.attempted for t in scores.tasks)),
        ("unscored (outputs not known)", len(scores.tasks) - scored),
        ("programs", f"{scores.programs} ({scores.valid_programs} valid)"),
        ("weighting", scores.weighting),
    ]
    filtered = scores.vote_filters
    if filtered["on"]:
        dropped = filtered["dropped"]
        counts = ", ".join(f"{name} {dropped.get(name, 0)}" for name in filtered["on"])
        items.append(("vote filters", f"{sum(dropped.values())} programs kept out: {counts}"))
    else:
        items.append(("vote filters", "off"))
    if isinstance(scores, EnsembleScores):
        members = ", ".join(
            f"{name} ({path})" for name, path in zip(scores.names, scores.runs, strict=True)
        )
        items.append((f"ensemble of {len(scores.runs)} runs", members))
    body = "".join(f"<tr><th>{_e(k)}<td>{_e(v)}" for k, v in items)
    return f"<table class=s>{body}</table>"


def _task_table(tasks: Sequence[Task], rows: dict[str, TaskScore]) -> str:
    head = (
        "<tr><th>task<th>tests<th>programs<th>valid<th>best train<th>train-perfect"
        "<th>groups<th>score<th>oracle"
    )
    lines = [f"<table class=t>{head}"]
    for task in tasks:
        row = rows.get(task.id)
        if row is None:
            lines.append(f"<tr><td>{_e(task.id)}<td colspan=8 class=na>not scored")
            continue
        lines.append(
            f'<tr><td><a href="#t-{_e(task.id)}">{_e(task.id)}</a><td>{row.n_tests}'
            f"<td>{row.programs}<td>{row.valid}<td>{row.best_train_accuracy:.2f}"
            f"<td>{row.train_perfect}<td>{row.groups}<td>{_verdict(row.score)}"
            f"<td>{_fraction(row.oracle)}"
        )
    lines.append("</table>")
    return "\n".join(lines)


def _verdict(score: float | None) -> str:
    if score is None:
        return "<span class=na>unknown</span>"
    css = "ok" if score == 1.0 else "bad"
    return f"<span class={css}>{score:.2f}</span>"


def _grid(grid: Grid, caption: str, css: str = "") -> str:
    rows = "".join("<tr>" + "".join(f"<td class=c{c}>" for c in row) for row in grid)
    size = f"{len(grid)}x{len(grid[0])}"
    klass = f" class={css}" if css else ""
    return (
        f"<figure{klass}><figcaption>{_e(caption)} ({size})</figcaption>"
        f"<table class=g>{rows}</table></figure>"
    )


def _task_section(
    task: Task,
    row: TaskScore | None,
    tried: list[list[Grid]],
    programs: Sequence[str | None],
    sources: Sequence[dict] = (),
) -> str:
    score = row.score if row else None
    programs_text = f"{row.programs} programs" if row else "not scored"
    parts = [
        f'<details id="t-{_e(task.id)}"><summary>{_e(task.id)} &middot; score '
        f"{_verdict(score)} &middot; {programs_text}</summary>",
        "<div class=row>",
    ]
    for n, pair in enumerate(task.train, start=1):
        parts.append(_grid(pair.input, f"train {n} input"))
        parts.append(_grid(pair.output, f"train {n} output"))  # type: ignore[arg-type]
    parts.append("</div>")
    for j, pair in enumerate(task.test):
        parts.append("<div class=row>")
        parts.append(_grid(pair.input, f"test {j + 1} input"))
        attempts = tried[j] if j < len(tried) else []
        if not attempts:
            parts.append(
                "<p class=na>no attempt: no program produced a grid for every test input</p>"
            )
        for k, grid in enumerate(attempts[:2], start=1):
            if pair.output is None:
                css, word = "unknown", "unknown"
            else:
                css, word = ("right", "right") if grid == pair.output else ("wrong", "wrong")
            parts.append(_grid(grid, f"attempt {k}: {word}", css))
        if pair.output is not None and not any(g == pair.output for g in attempts[:2]):
            parts.append(_grid(pair.output, "expected"))
        parts.append("</div>")
    for k, program in enumerate(programs, start=1):
        if program is not None:
            parts.append(f"<p>Program behind attempt {k}:</p><pre>{_e(program)}</pre>")
        if k <= len(sources):
            parts.append(_sources(sources[k - 1]))
    parts.append("</details>")
    return "\n".join(parts)


def _sources(source: dict) -> str:
    """Where an ensemble's attempt group came from: programs per member run, and the run of the
    program shown."""
    counts = ", ".join(f"{_e(name)} {n}" for name, n in source["runs"].items())
    first = source["first"]
    return (
        f"<p class=src>{source['programs']} programs voted for it: {counts}. The program above "
        f"is node {first['node_id']} of run {_e(first['run'])}.</p>"
    )
