"""The HTML report and its plots."""

from __future__ import annotations

import doctest
import re

import pytest
import soar.evaluate.plots as plots_module
from soar.agents.runs.scoring import score_run
from soar.evaluate import plots
from soar.evaluate.report import PLOTS, write_report

from tests.agents.runs.runs import WRONG, make_run, node

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HOSTILE = 'def transform(grid):\n    if len(grid) < 3 and "</pre><script>" & 1:\n        pass\n'


@pytest.fixture(scope="module")
def report(tmp_path_factory, arc1_train):
    """A report on four tasks: solved, half solved, unsolved (with a program full of markup),
    and one without any node log."""
    one, two, other, empty = (
        arc1_train[i] for i in ("3c9b0459", "25ff71a9", "0520fde7", "007bbfb7")
    )
    t0 = 1_700_000_000.0
    logs = {
        one: [
            node(one, 0, (WRONG,), created=t0),
            node(one, 1, one.test_outputs, 1.0, created=t0 + 3),
            None,
        ],
        two: [
            node(two, i, (two.test_outputs[0], WRONG), 0.5, created=t0 + 5 * i) for i in range(6)
        ],
        other: [node(other, 0, (WRONG,), 0.25, program=HOSTILE, created=t0 + 40)],
    }
    tasks = [empty, one, two, other]
    run = make_run(tmp_path_factory.mktemp("report") / "run", logs)
    scores = score_run(run, tasks)
    return write_report(run, tasks, scores), tasks


def test_the_page_and_plots_are_written(report):
    index, _ = report
    assert index.name == "index.html"
    for name in PLOTS:
        data = (index.parent / name).read_bytes()
        assert data.startswith(PNG_MAGIC), name
        assert len(data) > 5_000, name


def test_the_page_shows_every_task_and_links_plots_relatively(report):
    index, tasks = report
    page = index.read_text()
    for task in tasks:
        assert f'<details id="t-{task.id}">' in page
        assert f'href="#t-{task.id}"' in page
    for name in PLOTS:
        assert f'src="{name}"' in page
    assert "http://" not in page and "https://" not in page  # viewable offline
    assert "<script" not in page


def test_program_text_is_escaped(report):
    page = report[0].read_text()
    assert "if len(grid) &lt; 3 and &quot;&lt;/pre&gt;&lt;script&gt;&quot; &amp; 1:" in page
    assert "</pre><script>" not in page


def test_attempts_are_marked_right_or_wrong(report):
    page = report[0].read_text()
    one = page[page.index('<details id="t-3c9b0459">') :]
    one = one[: one.index("</details>")]
    assert "attempt 1: right" in one and "attempt 2: wrong" in one
    assert "def transform(grid):  # node 1" in one  # the program behind attempt 1
    empty = page[page.index('<details id="t-007bbfb7">') :]
    assert "no attempt" in empty[: empty.index("</details>")]
    two = page[page.index('<details id="t-25ff71a9">') :]
    two = two[: two.index("</details>")]
    assert two.count("attempt 1: right") == 1 and two.count("attempt 1: wrong") == 1
    assert "expected" in two  # test 2 shows the output it should have had


def test_grids_use_the_arc_palette(report):
    page = report[0].read_text()
    assert ".c8{background:#7FDBFF}" in page
    cells = re.findall(r"<td class=c(\d)>", page)
    assert len(cells) > 100 and set(cells) <= set("0123456789")


def test_unknown_outputs_are_marked_unknown(tmp_path, arc1_train):
    task = arc1_train["3c9b0459"].public()
    run = make_run(tmp_path / "run", {task: [node(task, 0, (WRONG,))]})
    page = write_report(run, [task], score_run(run, [task])).read_text()
    assert "attempt 1: unknown" in page
    assert "expected" not in page


def test_plots_with_nothing_to_show_are_still_written(tmp_path):
    for path in (
        plots.plot_score_curve(tmp_path / "a.png", []),
        plots.plot_accuracy_histogram(tmp_path / "b.png", {}),
        plots.plot_programs_per_second(tmp_path / "c.png", [0.0, 0.0]),
    ):
        assert path.read_bytes().startswith(PNG_MAGIC)


def test_rate_bins_widen_for_long_runs():
    width, counts = plots.rate_bins([float(t) for t in range(0, 86_400, 7)])
    assert width == 1000.0
    assert len(counts) <= 100
    assert sum(counts) == len(range(0, 86_400, 7))


def test_rate_bins_narrow_for_short_runs():
    """Programs made within 0.06 s are binned by the millisecond, not spread over a 10 s bin
    (which read as a rate a hundred times too low)."""
    times = [1000.0 + i * 0.06 / 33 for i in range(34)]  # 34 programs in 0.06 s
    width, counts = plots.rate_bins(times)
    assert width <= 0.06 / 50
    assert sum(counts) == 34
    mean_rate = sum(counts) / (width * len(counts))
    assert mean_rate == pytest.approx(34 / 0.06, rel=0.05)


def test_doctests():
    outcome = doctest.testmod(plots_module)
    assert outcome.attempted > 0
    assert outcome.failed == 0
