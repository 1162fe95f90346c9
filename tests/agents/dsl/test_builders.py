"""Enumerations built ahead in builder processes: the same programs as built in the policy's own
process, deeper screening done ahead when the budget reaches it, a dead builder replaced by the
policy itself, and a script without a main guard left alone."""

from __future__ import annotations

import logging
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from soar.agents.dsl.builders import Builders, BuildSettings, build_enumeration
from soar.agents.dsl.enumeration import Enumeration
from soar.agents.dsl.policy import DSLPolicy
from soar.agents.dsl.program import parse_source
from soar.agents.policy import SampleRequest, SamplingConfig

from .test_enumeration import right_on_train, take

TASKS = ("3c9b0459", "47c1f68c", "cf98881b", "f25fbde4")
"""A task fitted in one step, one fitted only past the 2,000th program, one fitted only in three
steps, one fitted in two."""


def given(policy, tasks, rounds, n=60):
    """The programs ``policy`` gives each task over ``rounds`` sample requests of ``n``."""
    out = {task.id: [] for task in tasks}
    for _ in range(rounds):
        answers = policy.generate([SampleRequest(task, n) for task in tasks])
        for task, batch in zip(tasks, answers, strict=True):
            out[task.id] += [parse_source(c.text) for c in batch]
    return out


def policy(**options):
    return DSLPolicy(sampling=SamplingConfig(seed=0), deep_after=100, **options)


@pytest.mark.parametrize("budget", [100, 1000])
def test_built_ahead_the_programs_are_the_same(public_tasks, budget):
    tasks = [public_tasks[task_id] for task_id in TASKS]
    here = given(policy(builders=0), tasks, rounds=3)
    ahead = policy(builders=1)
    try:
        ahead.prepare(tasks, budget)
        assert ahead._builders is not None and ahead._builders._planned
        built = given(ahead, tasks, rounds=3)
    finally:
        ahead.close()
    assert ahead._builders is None
    if budget > 100:  # past deep_after the deeper fits came as in this process
        assert built == here
        deep = built["47c1f68c"][120]  # the third request: 120 >= deep_after
        assert right_on_train(ahead.grammar, tasks[1], deep)
        assert len(built["cf98881b"][120]) == 3
        assert right_on_train(ahead.grammar, tasks[2], built["cf98881b"][120])
    else:  # the budget said the search stops at deep_after: nothing was screened deeper
        assert built["3c9b0459"] == here["3c9b0459"] and built["f25fbde4"] == here["f25fbde4"]
        assert built["47c1f68c"][:100] == here["47c1f68c"][:100]
        assert built["47c1f68c"][100:] != here["47c1f68c"][100:]


def test_an_enumeration_travels_with_its_walk(grammar, public_tasks):
    task = public_tasks["f25fbde4"]
    settings = BuildSettings()
    kept = build_enumeration(grammar, [], task, settings, deep=False)
    other = build_enumeration(grammar, [], task, settings, deep=False)
    assert take(kept, 50) == take(other, 50)
    sent = pickle.loads(pickle.dumps(kept))
    assert sent.outputs == {} and sent.second is None and sent._grammar is None
    assert take(sent, 3000) == take(kept, 3000)  # goes on where it was
    assert sent.screen_deep(12_000, 20) == []  # nothing to screen further without the grids
    with pytest.raises(ValueError, match="lookahead"):
        Builders(grammar, [], settings, workers=0)


def test_deep_screening_ahead_is_given_when_asked(grammar, public_tasks):
    task = public_tasks["47c1f68c"]
    ahead = build_enumeration(grammar, [], task, BuildSettings(), deep=True)
    later = Enumeration(grammar, grammar.drawer(task), task, screen=2000)
    assert ahead.fits == [] and ahead.outputs == {}  # found, not given yet
    first = take(ahead, 10)
    assert first == take(later, 10)
    found = ahead.screen_deep(12_000, 20)
    assert found and found == later.screen_deep(12_000, 20)
    assert take(ahead, len(found)) == found
    assert ahead.screen_deep(12_000, 20) == []  # once


def test_a_builder_that_dies_is_replaced_by_the_policy(public_tasks, caplog):
    tasks = [public_tasks[task_id] for task_id in TASKS[:2]]
    here = given(policy(builders=0), tasks, rounds=1)
    ahead = policy(builders=1)
    try:
        ahead.prepare(tasks, 50)
        builders = ahead._builders
        assert builders is not None
        builders._planned[tasks[0].id][1].result()  # started
        for process in list(builders._pool._processes.values()):
            process.kill()
            process.join()
        with caplog.at_level(logging.WARNING, logger="soar.agents.dsl.builders"):
            built = given(ahead, tasks, rounds=1)
        assert built == here
        assert builders.broken and "builder process died" in caplog.text
        ahead.prepare(tasks, 50)  # nothing more is planned
        assert builders._planned == {}
    finally:
        ahead.close()


def test_a_script_without_a_main_guard_is_not_run_again(tmp_path):
    # Builders are spawned: they must not import the script that started them (it would
    # start builders of its own, or die when read from standard input).
    script = textwrap.dedent(
        """
        import sys
        from soar.agents.dsl.policy import DSLPolicy
        from soar.agents.policy import SampleRequest
        from soar.arc_env import load_tasks
        print("script ran", flush=True)
        tasks = [t.public() for t in load_tasks("arc1/train:3c9b0459,f25fbde4")]
        policy = DSLPolicy(builders=1)
        policy.prepare(tasks, 500)
        answers = policy.generate([SampleRequest(t, 2) for t in tasks])
        print(policy._builders.broken, len(answers[0]) + len(answers[1]))
        policy.close()
        """
    )
    path = tmp_path / "unguarded.py"
    path.write_text(script)
    for args in ([str(path)], ["-"]):
        done = subprocess.run(
            [sys.executable, *args],
            input=script if args == ["-"] else None,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == ["script ran", "False 4"], done.stderr


@pytest.mark.parametrize("how", ["sigkill", "ctrl-c"])
def test_builders_end_when_the_search_is_killed_or_interrupted(how):
    script = textwrap.dedent(
        """
        import time
        from soar.agents.dsl.policy import DSLPolicy
        from soar.arc_env import load_tasks
        tasks = [t.public() for t in load_tasks("arc1/train")[:20]]
        with DSLPolicy(builders=2) as policy:
            policy.prepare(tasks, 6000)  # deep builds: seconds of work queued
            print(*policy._builders._pool._processes, flush=True)
            for _ in range(600):  # a search's main thread runs often: a signal another thread
                time.sleep(0.1)  # received is seen then (one long sleep would hide it)
        """
    )
    search = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a search started from a shell
    )
    try:
        pids = [int(pid) for pid in search.stdout.readline().split()]
        assert len(pids) == 2
        if how == "sigkill":  # the search alone is killed: its builders must notice
            search.kill()
        else:  # Ctrl-C reaches every process of the group: the search stops its builders
            os.killpg(search.pid, signal.SIGINT)
        _, err = search.communicate(timeout=120)
    finally:
        search.kill()
        search.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in pids)
    if how == "ctrl-c":
        # At most the search's own (under heavy load it has once exited without a traceback);
        # none from a builder.
        assert err.count("KeyboardInterrupt") <= 1 and "SpawnProcess" not in err, err


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False
