"""DSLPolicy: programs the real executor runs, determinism, refinement, specs, speed, and search
that solves real single-primitive tasks on train and test within a small budget."""

from __future__ import annotations

import pytest
from soar.agents import available_policies, make_policy, register_policy
from soar.agents.dsl.fitting import fit, training_example
from soar.agents.dsl.grammar import Grammar
from soar.agents.dsl.policy import DSLPolicy
from soar.agents.dsl.program import parse_source, to_source
from soar.agents.policy import RefineRequest, SampleRequest, SamplingConfig
from soar.agents.runs.rundir import RunDir
from soar.agents.search import make_agent, run_search
from soar.arc_env import Executor, InputError, Status, load_tasks
from soar.arc_env.executor.pool import DEFAULT_PRELOAD

from .test_grammar import edit_made

SOLVABLE = {
    "3c9b0459": "rotate_180",
    "67a3c6ac": "flip_h",
    "74dd1130": "transpose",
    "d511f180": "swap_colours",
    "c59eb873": "scale_up",
    "a416b8f3": "tile_h",
}
"""Real tasks whose rule is one primitive: a rotation, a mirror, a transpose, a colour swap,
scaling up by 2, tiling side by side."""


@pytest.fixture(scope="module")
def dsl_executor():
    with Executor(workers=2, preload=DEFAULT_PRELOAD + ("soar.agents.dsl.primitives",)) as ex:
        yield ex


@pytest.fixture(scope="module")
def tasks():
    return {task.id: task for task in load_tasks("arc1/train")}


def policy(seed=0, **options):
    return DSLPolicy(sampling=SamplingConfig(seed=seed), **options)


def texts(answers):
    return [[c.text for c in batch] for batch in answers]


def test_sampled_programs_run_in_the_executor(dsl_executor, tasks):
    some = [t.public() for t in list(tasks.values())[:12]]
    answers = policy().generate([SampleRequest(task, 16) for task in some])
    jobs = []
    for task, batch in zip(some, answers, strict=True):
        assert len(batch) == 16
        for completion in batch:
            assert completion.valid and completion.program == completion.text
            assert completion.policy_id == "dsl:default" and completion.finish_reason == "stop"
            jobs.append((task, completion.program))
    results = dsl_executor.run(jobs)
    statuses = [r.status for result in results for r in result.train + result.test]
    assert Status.TIMEOUT not in statuses and Status.MEMORY not in statuses
    assert statuses.count(Status.OK) > len(statuses) / 2
    errors = [r.message for result in results for r in result.train if r.status is Status.ERROR]
    assert all("ValueError" in m for m in errors), errors[:5]  # how primitives refuse inputs
    assert not dsl_executor.stats.worker_exits  # the primitives import did not restart workers


def test_generation_is_deterministic_for_a_seed(tasks):
    a, b = tasks["3c9b0459"].public(), tasks["0520fde7"].public()

    def make(seed):  # the enumeration's one-step programs, then samples
        return policy(seed=seed, pairs=0)

    first = texts(make(3).generate([SampleRequest(a, 400), SampleRequest(b, 400)]))
    again = texts(make(3).generate([SampleRequest(a, 400), SampleRequest(b, 400)]))
    alone = texts(make(3).generate([SampleRequest(b, 400)]))
    other = texts(make(4).generate([SampleRequest(a, 400), SampleRequest(b, 400)]))
    assert first == again
    assert alone[0] == first[1]  # a task's programs do not depend on the rest of the batch
    assert other != first  # the samples after the enumeration depend on the seed
    assert other[0][:50] == first[0][:50]  # the enumeration does not
    one = make(3)  # the next call for a task continues with new programs
    assert texts(one.generate([SampleRequest(a, 20)])) != texts(
        one.generate([SampleRequest(a, 20)])
    )


@pytest.mark.parametrize("lengths", [None, (0.97, 0.01, 0.01, 0.01)])
def test_programs_are_not_repeated_for_a_task(tasks, lengths):
    task = tasks["c8f0f002"].public()
    dsl = DSLPolicy(Grammar(lengths=lengths) if lengths else None)
    programs = [c.text for _ in range(10) for c in dsl.generate([SampleRequest(task, 100)])[0]]
    assert len(set(programs)) == len(programs) == 1000  # past the few hundred one-step ones


def test_every_distinct_one_step_program_comes_early(tasks):
    task = tasks["0520fde7"].public()
    dsl = policy()
    singles = {steps for steps, _ in dsl.grammar.single_steps(task)}
    assert 100 < len(singles) < 1000
    request = SampleRequest(task, 4 * len(singles))  # with the likelier two-step programs
    given = [parse_source(c.text) for c in dsl.generate([request])[0]]
    enumeration = dsl._enumerations[task.id]
    distinct = {(enumeration.steps[i],) for i in enumeration.first}
    assert distinct <= set(given) and distinct <= singles
    assert len(distinct) >= 10


def test_refinement_edits_the_parent(dsl_executor, tasks):
    task = tasks["7468f01a"].public()
    parent = (("crop_to_content", ()), ("recolour", (4, 2)))
    source = to_source(parent)
    result = dsl_executor.run([(task, source)])[0]
    answers = policy().generate([RefineRequest(task, source, result, 30)])[0]
    children = [parse_source(c.text) for c in answers]
    assert all(edit_made(parent, child) for child in children)
    assert len(set(children)) == 30


def test_refining_a_program_that_is_not_dsl_samples(dsl_executor, tasks):
    task = tasks["3c9b0459"].public()
    source = "def transform(grid):\n    return grid\n"
    result = dsl_executor.run([(task, source)])[0]
    answers = policy().generate([RefineRequest(task, source, result, 5)])[0]
    assert all(parse_source(c.text) is not None for c in answers)


def test_specs(tasks, tmp_path):
    if "dsl" not in available_policies():  # until the registry lists the scheme as built in
        register_policy("dsl", "soar.agents.dsl.policy:DSLPolicy.from_spec")
    built = make_policy("dsl:default", sampling=SamplingConfig(seed=1))
    assert isinstance(built, DSLPolicy) and built.policy_id == "dsl:default"
    task = tasks["3c9b0459"]
    example = training_example(task, to_source((("rotate_180", ()),)))
    assert example is not None
    assert training_example(task, "def transform(grid):\n    return grid\n") is None
    weights = tmp_path / "weights.json"
    fit(Grammar(), [example] * 10).save(weights)
    learned = make_policy(f"dsl:{weights}", sampling=SamplingConfig(seed=1))
    assert learned.policy_id == f"dsl:{weights}"
    assert learned.grammar.to_json() == Grammar.load(weights).to_json()
    with pytest.raises(ValueError, match="grammar weights"):
        make_policy(f"dsl:{tmp_path / 'missing.json'}")
    with pytest.raises(NotImplementedError):
        built.complete([])
    with pytest.raises(ValueError, match="at least 1"):
        built.generate([SampleRequest(task.public(), 1), SampleRequest(task.public(), 0)])
    with pytest.raises(TypeError):
        built.generate(["not a request"])


def test_search_solves_single_primitive_tasks(dsl_executor, tasks, tmp_path):
    chosen = [tasks[task_id] for task_id in SOLVABLE]
    agent = make_agent("sample", programs=400, width=32, stop_after=1)
    run = RunDir.create(tmp_path / "run", {"policy": "dsl:default"})
    nodes = run_search(
        chosen, agent, policy(), dsl_executor, run, batch_size=32 * len(chosen), seed=0
    )
    for task in chosen:
        right = [n for n in nodes[task.id] if n.all_train_correct]
        assert right, f"{task.id}: nothing right on train in {len(nodes[task.id])} programs"
        assert right[0].test_outputs == task.test_outputs, (task.id, right[0].program)
        assert len(nodes[task.id]) <= 400


def test_sample_refine_refines_dsl_programs(dsl_executor, tasks, tmp_path):
    task = tasks["7468f01a"]  # crop to content, then mirror: two steps
    agent = make_agent("sample-refine", programs=128, width=32, stop_after=None)
    run = RunDir.create(tmp_path / "run", {"policy": "dsl:default"})
    nodes = run_search([task], agent, policy(), dsl_executor, run, batch_size=64)[task.id]
    refined = [n for n in nodes if n.kind == "refine"]
    assert refined
    for node in refined:
        parent = parse_source(nodes[node.parent_id].program)
        assert edit_made(parent, parse_source(node.program)) is not None


def test_parents_too_far_from_right_get_fresh_programs(dsl_executor, tasks):
    task = tasks["7468f01a"].public()
    wrong = to_source((("crop_to_content", ()), ("recolour", (4, 2))))  # right on no train pair
    result = dsl_executor.run([(task, wrong)])[0]
    assert not any(result.train_correct)
    request = RefineRequest(task, wrong, result, 10)
    edited = [parse_source(c.text) for c in policy().generate([request])[0]]
    assert all(edit_made(parse_source(wrong), child) for child in edited)
    picky = policy(refine_from=0.5)
    fresh = [parse_source(c.text) for c in picky.generate([request])[0]]
    first = [parse_source(c.text) for c in policy().generate([SampleRequest(task, 10)])[0]]
    assert fresh == first  # the enumeration's first programs, not edits
    with pytest.raises(ValueError, match="refine_from"):
        policy(refine_from=2.0)


def _tilted(grammar, name, factor):
    """``grammar`` with primitive ``name``'s weight times ``factor`` in every context."""

    def tilt(weights):
        return {**weights, name: weights.get(name, 1.0) * factor}

    default = {n: grammar.default.get(n, 1.0) for n in grammar.names}
    return grammar.replace(
        {ctx: tilt(w) for ctx, w in grammar.weights.items()}, tilt(default), grammar.lengths
    )


def test_a_fitted_grammar_keeps_what_the_built_in_one_screens(tasks):
    task = tasks["3c9b0459"]  # rotate_180
    shy = _tilted(Grammar(), "rotate_180", 0.0)
    request = SampleRequest(task.public(), 5)
    alone = DSLPolicy(shy, "shy.json", SamplingConfig(seed=0), screen=40, default_fits=False)
    assert alone.others == []
    assert ("rotate_180", ()) not in {
        s for c in alone.generate([request])[0] for s in parse_source(c.text)
    }
    kept = DSLPolicy(shy, "shy.json", SamplingConfig(seed=0), screen=40)
    first = parse_source(kept.generate([request])[0][0].text)
    assert first == (("rotate_180", ()),)  # the built-in grammar's fit, given first
    assert DSLPolicy(sampling=SamplingConfig(seed=0)).others == []  # no second screening


def test_a_fitted_grammar_keeps_what_earlier_rounds_grammars_screen(tasks, tmp_path):
    task = tasks["1e0a9b12"]  # gravity down: not among the built-in grammar's first 20 programs
    request = SampleRequest(task.public(), 3)
    fit = (("gravity", ("down",)),)
    keen = _tilted(Grammar(), "gravity", 1e4)  # round 1's grammar: gravity first
    shy = _tilted(Grammar(), "gravity", 0.0)  # round 2's: never gravity

    def given(grammar):
        policy = DSLPolicy(grammar, "g.json", SamplingConfig(seed=0), screen=20)
        return [parse_source(c.text) for c in policy.generate([request])[0]]

    assert fit in given(keen)
    assert fit not in given(shy)  # neither it nor the built-in grammar screens gravity
    after = shy.after(keen)
    assert len(after.earlier) == 1 and after.earlier[0].earlier == ()
    assert given(after)[0] == fit  # round 1's fit, given first
    after.save(tmp_path / "g.json")  # the lineage is saved with the weights
    loaded = Grammar.load(tmp_path / "g.json")
    assert loaded.to_json() == after.to_json() and given(loaded)[0] == fit
    third = _tilted(Grammar(), "flip_h", 2.0).after(after)  # round 3: both earlier grammars
    assert [g.to_json() for g in third.earlier] == [keen.to_json(), shy.to_json()]
    with pytest.raises(ValueError, match="earlier"):
        Grammar(earlier=[after])


def test_skip_goes_on_past_what_an_earlier_search_tried(dsl_executor, tasks, tmp_path):
    chosen = [tasks["3c9b0459"], tasks["67a3c6ac"]]
    agent = make_agent("sample-refine", programs=60, width=20, stop_after=None)
    run = RunDir.create(tmp_path / "run", {"policy": "dsl:default"})
    nodes = run_search(chosen, agent, policy(), dsl_executor, run, batch_size=40, seed=0)
    task = chosen[0]
    earlier = {parse_source(n.program) for n in nodes[task.id]}
    assert len(earlier) == 60 and (("rotate_180", ()),) in earlier  # it found the fit
    request = SampleRequest(task.public(), 60)
    again = {parse_source(c.text) for c in policy().generate([request])[0]}
    assert again & earlier  # without skip, the enumeration starts over
    onward = [parse_source(c.text) for c in policy(skip=[str(run.path)]).generate([request])[0]]
    assert len(set(onward)) == 60 and not set(onward) & earlier
    other = SampleRequest(tasks["74dd1130"].public(), 10)  # no log in the run: as before
    assert texts(policy(skip=[str(run.path)]).generate([other])) == texts(
        policy().generate([other])
    )
    with pytest.raises(InputError, match="expected a run directory"):
        policy(skip=[str(tmp_path / "nowhere")])


def test_skip_screens_deeper_at_once(dsl_executor, tasks, tmp_path):
    task = tasks["90c28cc7"]  # dedup columns, crop, dedup rows: three steps
    agent = make_agent("sample", programs=20, width=20, stop_after=None)
    run = RunDir.create(tmp_path / "run", {"policy": "dsl:default"})
    nodes = run_search([task], agent, policy(), dsl_executor, run, batch_size=20, seed=0)
    assert not any(n.all_train_correct for n in nodes[task.id])  # the shallow part: no fit
    onward = policy(skip=[str(run.path)])
    assert onward.deep_after == 0
    assert onward.settings.deep_screen == 12_000 and onward.settings.deep_prefixes == 20
    first = onward.generate([SampleRequest(task.public(), 1)])[0][0].program
    assert len(parse_source(first)) == 3
    result = dsl_executor.run([(task, first)])[0]
    assert all(result.train_correct), first
    twice = policy(skip=[str(run.path), str(run.path)])  # each earlier run: as far again
    assert (twice.settings.deep_screen, twice.settings.deep_prefixes) == (22_000, 40)
