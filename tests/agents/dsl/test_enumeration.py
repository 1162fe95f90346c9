"""The enumeration of short programs: every one-step program before any two-step one, best
first, one program per behaviour, no redundant pairs; and the policy giving them in that order."""

from __future__ import annotations

import numpy as np
import pytest
from soar.agents.dsl.enumeration import Enumeration
from soar.agents.dsl.grammar import Grammar
from soar.agents.dsl.policy import DSLPolicy
from soar.agents.dsl.program import parse_source
from soar.agents.dsl.pruning import redundant
from soar.agents.dsl.running import behaviour
from soar.agents.policy import SampleRequest, SamplingConfig
from soar.arc_env import Pair, Task


def take(enumeration, n):
    return [p for p in (enumeration.next() for _ in range(n)) if p is not None]


def chance(grammar, drawer, steps):
    """A program's chance under the grammar's sampler, as the enumeration orders them."""
    ctx = drawer.info.context
    p = grammar.lengths[len(steps) - 1]
    for name, args in steps:
        p *= grammar.weight(ctx, name)
        for kind, value in zip(grammar.params[name], args, strict=True):
            p *= drawer.chance(kind, value)
    return p


def test_programs_come_most_likely_first(grammar, public_tasks):
    task = public_tasks["0520fde7"]
    drawer = grammar.drawer(task)
    enumeration = Enumeration(grammar, drawer)  # every one-step program, none run
    singles = {steps for steps, _ in grammar.single_steps(drawer)}
    programs = take(enumeration, len(singles) + 2000)
    chances = [chance(grammar, drawer, p) for p in programs]
    assert chances == pytest.approx(sorted(chances, reverse=True))
    # one-step programs come before the two-step ones less likely than they are: those not
    # given yet (a colour role as the second colour of a rare primitive) are the unlikelier
    missing = singles - set(programs)
    assert len(missing) < len(singles) / 4
    assert all(chance(grammar, drawer, p) <= chances[-1] * (1 + 1e-9) for p in missing)
    assert {len(p) for p in programs} == {1, 2}
    assert len(set(programs)) == len(programs)
    assert not any(redundant(*p) for p in programs if len(p) == 2)


def test_one_program_per_behaviour_and_only_pairs_that_could_be_right(grammar, public_tasks):
    task = public_tasks["0520fde7"]
    drawer = grammar.drawer(task)
    enumeration = Enumeration(grammar, drawer, task)
    n_singles = len(grammar.single_steps(drawer))
    inputs = [np.array(p.input) for p in (*task.train, *task.test)]
    targets = [np.array(p.output) for p in task.train]
    n_train = len(task.train)
    unchanged = tuple((g.shape, g.tobytes()) for g in inputs)

    def key(step):
        return behaviour(grammar.functions[step[0]], step[1], inputs)

    firsts = [enumeration.steps[i] for i in enumeration.first]
    prefixes = [enumeration.steps[i] for i in enumeration.prefixes]
    keys = [key(step) for step in firsts]
    assert unchanged not in keys  # no identities
    assert not any(None in k[n_train:] for k in keys)  # an answer for every test input
    for k in keys:  # each could be right or refined: right shapes, or a train pair right
        train = k[:n_train]
        shaped = all(o is not None and o[0] == t.shape for o, t in zip(train, targets, strict=True))
        right = any(
            o is not None and o == (t.shape, t.tobytes())
            for o, t in zip(train, targets, strict=True)
        )
        assert shaped or right
    prefix_keys = [key(step) for step in prefixes]
    assert len(set(prefix_keys)) == len(prefix_keys) < 0.8 * n_singles  # many repeat others
    assert not any(None in k for k in prefix_keys)  # two-step programs start with no failure
    assert set(firsts) - set(prefixes) == {
        s for s, k in zip(firsts, keys, strict=True) if None in k
    }
    # The one kept for a behaviour is its likeliest program: no likelier one behaves the same.
    for index, k in zip(enumeration.prefixes[:20], prefix_keys[:20], strict=True):
        assert k not in [key(step) for step in enumeration.steps[:index]]
    programs = take(enumeration, len(firsts) + 1000)
    assert [p for p in programs if len(p) == 1] == [(step,) for step in firsts]
    pairs = [p for p in programs if len(p) == 2]
    assert {p[0] for p in pairs} <= set(prefixes)
    # A prefix with a wrong shape is never followed by a step that keeps shapes.
    same = {name for name, effect in grammar.effects().items() if effect == "same"}
    for first, second in pairs:
        out = [grammar.functions[first[0]](g, *first[1]) for g in inputs[:n_train]]
        if any(o.shape != t.shape for o, t in zip(out, targets, strict=True)):
            assert second[0] not in same


def test_the_pairs_are_bounded(grammar, public_tasks):
    task = public_tasks["3c9b0459"]
    enumeration = Enumeration(grammar, grammar.drawer(task), task, max_pairs=50)
    programs = take(enumeration, 10_000)
    assert sum(len(p) == 2 for p in programs) == 50
    assert enumeration.next() is None


def test_redundant_pairs():
    assert redundant(("rotate_90", ()), ("flip_h", ()))
    assert redundant(("gravity", ("down",)), ("gravity", ("down",)))
    assert redundant(("swap_colours", (1, 2)), ("scale_up", (2,)))
    assert not redundant(("scale_up", (2,)), ("swap_colours", (1, 2)))
    assert not redundant(("crop_to_content", ()), ("rotate_90", ()))
    assert not redundant(("gravity", ("down",)), ("gravity", ("left",)))


def test_the_policy_gives_the_enumeration_then_samples(public_tasks):
    task = public_tasks["3c9b0459"]
    policy = DSLPolicy(sampling=SamplingConfig(seed=0))
    expected = Enumeration(policy.grammar, policy.grammar.drawer(task), task, max_pairs=100)
    n = len(expected.first) + 100
    order = take(expected, n)
    policy._enumerations[task.id] = Enumeration(
        policy.grammar, policy.grammar.drawer(task), task, max_pairs=100
    )
    given = [parse_source(c.text) for c in policy.generate([SampleRequest(task, n + 50)])[0]]
    assert given[:n] == order
    assert all(len(p) >= 2 for p in given[n:])  # then samples of two steps or more
    assert len(set(given)) == len(given)
    default = DSLPolicy(sampling=SamplingConfig(seed=0))  # screens its first 2,000 programs
    screened = Enumeration(policy.grammar, policy.grammar.drawer(task), task, screen=2000)
    first = [parse_source(c.text) for c in default.generate([SampleRequest(task, 50)])[0]]
    assert first == list(dict.fromkeys(take(screened, 100)))[:50]  # a fit is not given twice


def right_on_train(grammar, task, steps):
    for pair in task.train:
        grid = np.array(pair.input)
        try:
            for name, args in steps:
                grid = grammar.functions[name](grid, *args)
        except ValueError:  # a primitive refusing the grid
            return False
        if grid.shape != np.shape(pair.output) or (grid != np.array(pair.output)).any():
            return False
    return True


def test_screening_gives_the_programs_that_fit_first(grammar, public_tasks):
    task = public_tasks["7b6016b9"]  # a two-step program, past the first thousand
    drawer = grammar.drawer(task)
    plain = take(Enumeration(grammar, drawer, task), 3000)
    fitting = [p for p in plain if right_on_train(grammar, task, p)]
    assert fitting and plain.index(fitting[0]) > 1000
    screened = Enumeration(grammar, drawer, task, screen=3000)
    assert screened.fits and screened.fits[0] == fitting[0]
    # Only programs that fit, one per behaviour on the test inputs, first; then the same order.
    assert all(right_on_train(grammar, task, p) for p in screened.fits)
    test_inputs = [np.array(p.input) for p in task.test]

    def on_test(steps):
        outs = []
        for grid in test_inputs:
            for name, args in steps:
                grid = grammar.functions[name](grid, *args)
            outs.append(grid.tobytes())
        return tuple(outs)

    assert len({on_test(p) for p in screened.fits}) == len(screened.fits)
    assert {on_test(p) for p in screened.fits} == {on_test(p) for p in fitting}
    given = take(screened, len(screened.fits) + 3000)
    assert given[: len(screened.fits)] == screened.fits
    assert given[len(screened.fits) :] == plain


def test_one_step_outputs_are_shared_between_enumerations(grammar, public_tasks):
    task = public_tasks["7b6016b9"]
    drawer = grammar.drawer(task)
    alone = Enumeration(grammar, drawer, task, screen=3000)
    known = {}
    first = Enumeration(grammar, drawer, task, screen=3000, one_step_outputs=known)
    assert len(known) == len(first.steps)  # every one-step program ran once
    ran = dict(known)
    again = Enumeration(grammar, drawer, task, screen=3000, one_step_outputs=known)
    assert all(known[step] is outputs for step, outputs in ran.items())  # none ran again
    assert alone.fits == first.fits == again.fits and alone.first == again.first


def test_screening_needs_the_task_and_a_count(grammar, public_tasks):
    task = public_tasks["7b6016b9"]
    drawer = grammar.drawer(task)
    assert Enumeration(grammar, drawer, None, screen=3000).fits == []
    assert Enumeration(grammar, drawer, task, screen=0).fits == []
    with pytest.raises(ValueError, match="screen"):
        DSLPolicy(screen=-1)


def test_three_step_programs_are_screened_on_request(grammar, public_tasks):
    task = public_tasks["cf98881b"]  # no program of one or two steps fits
    enumeration = Enumeration(grammar, grammar.drawer(task), task, screen=2000)
    assert enumeration.fits == []
    found = enumeration.screen_three(20)
    assert found and all(len(p) == 3 and right_on_train(grammar, task, p) for p in found)
    assert take(enumeration, len(found)) == found  # given next
    assert enumeration.screen_three(20) == []  # once per task
    unscreened = Enumeration(grammar, grammar.drawer(task), None)  # no task: nothing to extend
    assert unscreened.screen_three(20) == []


def test_later_programs_are_screened_on_request(grammar, public_tasks):
    task = public_tasks["47c1f68c"]  # its first program that fits comes past the 2,000th
    enumeration = Enumeration(grammar, grammar.drawer(task), task, screen=2000)
    assert enumeration.fits == [] and enumeration.screened == 2000
    found = enumeration.screen_more(12_000)
    assert enumeration.screened == 12_000
    assert found and all(right_on_train(grammar, task, p) for p in found)
    assert enumeration.fits == found and take(enumeration, len(found)) == found  # given next
    assert enumeration.screen_more(20_000) == []  # something fits: nothing more to screen
    assert enumeration.screen_three(20) == []
    again = Enumeration(grammar, grammar.drawer(task), task, screen=2000)
    assert again.screen_more(2000) == [] and again.screened == 2000  # screened already
    plain = take(Enumeration(grammar, grammar.drawer(task), task), 12_000)
    assert found[0] in plain[2000:]  # the same order, screened further


def test_the_policy_screens_further_past_deep_after(public_tasks):
    task = public_tasks["47c1f68c"]
    policy = DSLPolicy(sampling=SamplingConfig(seed=0), deep_after=100)
    first = [parse_source(c.text) for c in policy.generate([SampleRequest(task, 100)])[0]]
    assert not any(right_on_train(policy.grammar, task, p) for p in first)
    later = [parse_source(c.text) for c in policy.generate([SampleRequest(task, 5)])[0]]
    assert len(later[0]) == 2 and right_on_train(policy.grammar, task, later[0])
    shallow = DSLPolicy(sampling=SamplingConfig(seed=0), deep_after=100, deep_screen=0)
    given = shallow.generate([SampleRequest(task, 105)])[0]
    assert not any(right_on_train(shallow.grammar, task, parse_source(c.text)) for c in given)
    with pytest.raises(ValueError, match="deep_screen"):
        DSLPolicy(deep_screen=-1)


def test_the_policy_screens_three_steps_past_deep_after(public_tasks):
    task = public_tasks["cf98881b"]
    policy = DSLPolicy(sampling=SamplingConfig(seed=0), deep_after=100, deep_screen=0)
    policy.generate([SampleRequest(task, 100)])
    later = [parse_source(c.text) for c in policy.generate([SampleRequest(task, 5)])[0]]
    assert len(later[0]) == 3 and right_on_train(policy.grammar, task, later[0])
    never = DSLPolicy(
        sampling=SamplingConfig(seed=0), deep_screen=0, deep_prefixes=0, deep_after=100
    )
    given = never.generate([SampleRequest(task, 105)])[0]
    assert not any(right_on_train(never.grammar, task, parse_source(c.text)) for c in given)


def test_second_steps_suit_the_shape_the_first_step_leaves(grammar, public_tasks):
    # f25fbde4 (arc1/train): outputs smaller than the inputs, made by a crop then a scaling up.
    task = public_tasks["f25fbde4"]
    drawer = grammar.drawer(task)
    assert drawer.info.context[0] == "smaller"
    answer = (("crop_to_content", ()), ("scale_up", (2,)))
    enumeration = Enumeration(grammar, drawer, task)
    crop = enumeration.steps.index(answer[0])
    relation, left = enumeration.relations[crop]
    assert (relation, left.ratios) == ("larger", (2,))  # targets: the crops scaled by 2
    assert answer in take(enumeration, 300)
    # The task's own tilt alone (against scalings up) puts it thousands of programs later.
    plain = Enumeration(grammar, drawer, task)
    plain.relations.clear()
    assert answer not in take(plain, 2000)


def test_second_steps_take_the_colours_the_first_step_left_wrong(grammar):
    # Outputs: the inputs' shape cropped and painted 2. The task's own colours say nothing of
    # which colour to change (no pair keeps its shape); the crop's outputs do: 1 becomes 2.
    def grid(rows, cols, at, size):
        g = np.zeros((rows, cols), dtype=int)
        g[at[0] : at[0] + size[0], at[1] : at[1] + size[1]] = 1
        g[at[0], at[1]] = 3
        return g.tolist()

    def pair(rows, cols, at, size):
        g = np.array(grid(rows, cols, at, size))
        box = g[at[0] : at[0] + size[0], at[1] : at[1] + size[1]]
        return Pair(g.tolist(), np.where(box == 1, 2, box).tolist())

    task = Task(
        "crop-then-paint",
        (pair(8, 9, (2, 3), (3, 2)), pair(7, 7, (1, 1), (2, 4)), pair(9, 6, (5, 2), (3, 3))),
        (Pair(grid(6, 8, (1, 2), (4, 3)), None),),
    )
    drawer = grammar.drawer(task)
    answer = (("crop_to_content", ()), ("recolour", (1, 2)))
    enumeration = Enumeration(grammar, drawer, task)
    crop = enumeration.steps.index(answer[0])
    relation, left = enumeration.relations[crop]
    assert (relation, left.changed_from, left.changed_to) == ("same", (1,), (2,))
    plain = Enumeration(grammar, drawer, task)
    plain.relations.clear()

    def rank(e):
        programs = take(e, 5000)
        return programs.index(answer) if answer in programs else len(programs)

    assert rank(enumeration) < rank(plain) / 2
    # A prefix whose outputs stand to the targets as the task's inputs do keeps the task's order.
    same = [i for i, rel in enumeration.relations.items() if rel == enumeration.second.own]
    for i in same[:3]:
        name = enumeration.steps[i][0]
        assert enumeration.second.after(name, enumeration.relations[i]) == enumeration.second.after(
            name
        )


def test_tilted_second_steps_multiply_transition_shape_and_argument_factors(grammar, public_tasks):
    # After a prefix, a step's chance is its one-step chance times three factors: its weight
    # after the prefix's primitive over its weight as a first step, its shape tilt for how the
    # targets compare with the prefix's outputs over the tilt for the task's own relation, and
    # the arguments those outputs call for.
    task = public_tasks["0b148d64"]  # larger inputs than outputs: crops change the relation
    plain = Enumeration(grammar, grammar.drawer(task), task)
    first = next(i for i, rel in plain.relations.items() if rel != plain.second.own)
    prev = plain.steps[first][0]
    learned = Grammar(transitions={prev: {"scale_up": 4.0, "recolour": 0.5}})
    enumeration = Enumeration(learned, learned.drawer(task), task)
    second, ctx = enumeration.second, enumeration.second._context
    relation = enumeration.relations[enumeration.steps.index(plain.steps[first])]
    assert relation != second.own  # the tilt is on
    order, chances = second.after(prev, relation)
    _, slots, values = second._tables()
    arguments = second._argument_tilt(relation[1], values)[slots].prod(axis=1)
    for rank in range(0, len(order), max(1, len(order) // 50)):
        i = int(order[rank])
        name = enumeration.steps[i][0]
        w = learned.weight(ctx, name)
        moved = learned.weight(ctx, name, prev) / w
        shaped = learned.shape_tilt(relation[0], name) / learned.shape_tilt(second.own[0], name)
        expected = enumeration.chances[i] * moved * shaped * arguments[i]
        assert chances[rank] == pytest.approx(expected, rel=1e-12)
    scale = [r for r, i in enumerate(order) if enumeration.steps[int(i)][0] == "scale_up"]
    untilted = second.after("flip_h" if prev != "flip_h" else "flip_v", relation)[0]
    plain_scale = [r for r, i in enumerate(untilted) if enumeration.steps[int(i)][0] == "scale_up"]
    assert scale and scale[0] < plain_scale[0]  # the transition moves scalings up
