"""Modules imported on demand: the first program importing one does not restart its worker, and
later programs are still protected from changes to it."""

from __future__ import annotations

from soar.arc_env import Executor, Status

ROTATE = "def transform(grid):\n    return [row[::-1] for row in grid[::-1]]\n"
HEADER = "from soar.agents.dsl.primitives import *\n"  # what every DSL program starts with


def _dsl_programs() -> list[str]:
    from soar.agents.dsl.program import to_source  # the DSL policy's own source format

    written = [
        to_source((("rotate_180", ()),)),
        to_source((("flip_h", ()), ("flip_h", ()), ("rotate_180", ()))),
        to_source((("flip_v", ()), ("flip_h", ()))),
    ]
    by_hand = [
        HEADER + "\ndef transform(grid):\n    return rotate_180(np.array(grid)).tolist()\n",
        "import numpy as np\nfrom soar.agents.dsl import primitives as p\n\n"
        "def transform(grid):\n    return p.flip_v(p.flip_h(np.array(grid)))\n",
        "def transform(grid):\n    import soar.agents.dsl.primitives as p\n"
        "    return p.rotate_180(grid)\n",
    ]
    return [p + f"# sample {i}\n" for i in range(4) for p in written + by_hand]


def test_dsl_programs_never_restart_the_workers_of_a_plain_executor(rotate_task):
    """Any executor (the gym environment, ``soar exec``, relabeling) runs DSL programs as fast as
    the search's, which preloads the DSL: the first one imports it, and no worker is replaced."""
    programs = _dsl_programs()
    with Executor(workers=2, timeout=1.0) as ex:
        results = ex.run([(rotate_task, p) for p in programs])
        assert ex.stats.worker_starts == 2 and not ex.stats.worker_exits
    for program, result in zip(programs, results, strict=True):
        assert all(r.ok for r in result.train + result.test), (program, result.train[0].message)
        assert result.all_train_correct and result.test_outputs == rotate_task.test_outputs


def test_later_programs_are_protected_from_changes_to_a_module_imported_on_demand(rotate_task):
    """The worker's record of shared state includes the module once imported: a program changing
    it is caught (its worker is replaced) and the next program finds the module as it was."""
    checks = "import wave\n\ndef transform(grid):\n    assert wave.open is not None\n    return grid[::-1]\n"
    changes = "import wave\nwave.open = None\n" + ROTATE
    with Executor(workers=1, timeout=1.0, import_on_demand=("wave",)) as ex:
        first, changed, later = ex.run([(rotate_task, p) for p in (ROTATE, changes, checks)])
        assert ex.stats.worker_exits == {"changed wave.open": 1}
        again = ex.run([(rotate_task, "import wave\n" + ROTATE)])[0]
        assert ex.stats.worker_starts == 2  # importing wave on demand never replaced a worker
    assert first.all_train_correct and changed.all_train_correct and again.all_train_correct
    assert all(r.ok for r in later.train), [r.message for r in later.train]


def test_a_program_naming_an_on_demand_module_fails_as_usual(rotate_task):
    """Naming such a module changes nothing else: a syntax error or a missing module is the
    program's own error, and the worker carries on."""
    broken = "import soar.agents.dsl.primitives\ndef transform(grid:\n    return grid\n"
    missing = "import not_a_module_anywhere.sub\n" + ROTATE
    with Executor(
        workers=1, timeout=1.0, import_on_demand=("not_a_module_anywhere.sub", "soar.agents.dsl")
    ) as ex:
        syntax, absent, right = ex.run([(rotate_task, p) for p in (broken, missing, ROTATE)])
        assert ex.stats.worker_starts == 1
    assert syntax.train[0].status is Status.ERROR and "SyntaxError" in syntax.train[0].message
    assert absent.train[0].status is Status.ERROR
    assert "ModuleNotFoundError" in absent.train[0].message
    assert right.all_train_correct
