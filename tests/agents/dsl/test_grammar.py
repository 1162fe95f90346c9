"""Task features, the grammar's sampling and edits, fitting and storage, any registry."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pytest
from soar.agents.dsl.arguments import LARGER, SAME, task_info
from soar.agents.dsl.features import context_from_key, context_key, task_context
from soar.agents.dsl.fitting import fit
from soar.agents.dsl.grammar import Grammar
from soar.agents.dsl.mutation import CONTENT, ERROR, SHAPE, feedback
from soar.agents.dsl.primitives import PARAM_KINDS
from soar.agents.dsl.primitives_base import COLOUR_ROLES
from soar.arc_env import InputResult, ProgramResult, Status, load_tasks


@pytest.fixture(scope="module")
def tasks():
    return {task.id: task for task in load_tasks("arc1/train")}


@pytest.mark.parametrize(
    ("task_id", "expected"),
    [
        ("3c9b0459", ("same", "-", "same", "nosep", "multi", "one")),  # rotate by 180 degrees
        ("c59eb873", ("larger", "x2", "same", "nosep", "multi", "one")),  # scale up twice
        ("a416b8f3", ("larger", "x1x2", "same", "nosep", "multi", "one")),  # tile side by side
        ("c8f0f002", ("same", "-", "both", "nosep", "multi", "one")),  # recolour 7 -> 5
        ("7468f01a", ("smaller", "-", "removed", "nosep", "multi", "one")),  # crop, mirror
        ("0520fde7", ("smaller", "-", "both", "sep", "multi", "few")),  # and of two parts
        ("5582e5ca", ("same", "-", "removed", "nosep", "mono", "one")),  # fill, commonest colour
    ],
)
def test_features_of_real_tasks(tasks, task_id, expected):
    ctx = task_context(tasks[task_id])
    assert ctx == expected
    assert context_from_key(context_key(ctx)) == ctx


def test_task_info_of_real_tasks(tasks):
    swap = task_info(tasks["d511f180"])  # swaps grey and cyan
    assert (swap.changed_from, swap.changed_to) == ((5, 8), (5, 8))
    assert task_info(tasks["c59eb873"]).ratios == (2,)
    recolour = task_info(tasks["c8f0f002"])
    assert (recolour.new, recolour.gone) == ((5,), (7,))


def test_sampling_is_deterministic_for_a_seed(grammar, tasks):
    task = tasks["0520fde7"].public()

    def draw(seed):
        rng = random.Random(seed)
        return [grammar.sample(task, rng) for _ in range(200)]

    assert draw(1) == draw(1)
    assert draw(1) != draw(2)


def test_samples_use_task_colours_and_kind_domains(grammar, tasks):
    task = tasks["c8f0f002"].public()
    colours = set(task_info(task).colours) | set(COLOUR_ROLES)
    rng = random.Random(0)
    lengths = Counter()
    roles = Counter()
    for _ in range(2000):
        steps = grammar.sample(task, rng)
        lengths[len(steps)] += 1
        for name, args in steps:
            kinds = grammar.params[name]
            assert len(args) == len(kinds)
            for kind, value in zip(kinds, args, strict=True):
                domain = PARAM_KINDS[kind]
                assert value in (colours if domain is None else domain), (name, kind, value)
                roles[value in COLOUR_ROLES] += domain is None
    assert set(lengths) == {1, 2, 3, 4}
    assert 0 < roles[True] < roles[False]  # colour roles are drawn, the task's colours more
    assert lengths[1] > lengths[2] > lengths[3] > lengths[4]


def test_lengths_at_least_a_minimum(grammar):
    rng = random.Random(0)
    assert {grammar.sample_length(rng, minimum=2) for _ in range(300)} == {2, 3, 4}
    assert {grammar.sample_length(rng, minimum=4) for _ in range(30)} == {4}
    single = grammar.replace({}, {}, (1.0, 0.0))
    assert single.sample_length(rng) == 1 and single.sample_length(rng, minimum=2) == 2


def test_colour_to_favours_the_colours_outputs_add(grammar, tasks):
    task = tasks["c8f0f002"].public()  # 7 becomes 5; inputs have 1, 7, 8
    drawer = grammar.drawer(task)
    rng = random.Random(0)
    targets = Counter(drawer.draw("colour_to", rng) for _ in range(1000))
    assert targets.most_common(1)[0][0] == 5 and targets[5] > 600


def test_weights_fit_the_task_shape(grammar, tasks):
    effects = grammar.effects()
    assert effects["flip_h"] == SAME and effects["scale_up"] == LARGER

    def share_larger(task):
        rng = random.Random(0)
        names = [name for _ in range(3000) for name, _ in grammar.sample(task, rng)]
        return sum(effects[n] == LARGER for n in names) / len(names)

    assert share_larger(tasks["c59eb873"]) > 4 * share_larger(tasks["3c9b0459"])


def edit_made(parent, child):
    """Which single edit turns ``parent`` into ``child`` (None: not exactly one)."""
    if len(child) == len(parent) + 1:
        return (
            "append"
            if any(child[:i] + child[i + 1 :] == parent for i in range(len(child)))
            else None
        )
    if len(child) == len(parent) - 1:
        return (
            "drop"
            if any(parent[:i] + parent[i + 1 :] == child for i in range(len(parent)))
            else None
        )
    changed = [(p, c) for p, c in zip(parent, child, strict=True) if p != c]
    if len(child) != len(parent) or len(changed) != 1:
        return None
    (p_name, p_args), (c_name, c_args) = changed[0]
    if p_name != c_name and p_args == c_args:
        return "swap"
    if p_name == c_name and sum(a != b for a, b in zip(p_args, c_args, strict=True)) == 1:
        return "arg"
    return None


def test_mutations_change_exactly_one_thing(grammar, tasks):
    task = tasks["d511f180"].public()
    rng = random.Random(0)
    edits = Counter()
    for _ in range(1500):
        parent = grammar.sample(task, rng)
        child = grammar.mutate(parent, task, rng)
        edit = edit_made(parent, child)
        assert edit is not None, (parent, child)
        edits[edit] += 1
        if edit == "swap":
            (p_name, _), (c_name, _) = next(
                pair for pair in zip(parent, child, strict=True) if pair[0] != pair[1]
            )
            assert grammar.params[p_name] == grammar.params[c_name]
    assert set(edits) == {"append", "drop", "swap", "arg"}


def test_feedback_steers_the_edits(grammar, tasks):
    task = tasks["c59eb873"].public()
    parent = (("flip_h", ()), ("recolour", (1, 2)))

    def appends(hint):
        rng = random.Random(0)
        return sum(len(grammar.mutate(parent, task, rng, hint)) > 2 for _ in range(1000))

    assert appends(SHAPE) > 1.5 * appends(ERROR)


def test_feedback_from_results(tasks):
    task = tasks["c59eb873"].public()

    def result(outputs, correct):
        train = tuple(
            InputResult(Status.OK, o) if o is not None else InputResult(Status.ERROR, None, "x")
            for o in outputs
        )
        return ProgramResult(task.id, "", train, (), correct, 0.0)

    n = len(task.train)
    inputs = [pair.input for pair in task.train]  # half the size of the outputs
    blanks = [tuple((0,) * len(row) for row in pair.output) for pair in task.train]
    assert feedback(task, result([None] * n, (False,) * n)) == ERROR
    assert feedback(task, result(inputs, (False,) * n)) == SHAPE
    assert feedback(task, result(blanks, (False,) * n)) == CONTENT
    assert feedback(task, result(task.train_outputs, (True,) * n)) == "right"


def test_fit_shifts_weights_toward_the_data(grammar, tasks):
    ctx = task_context(tasks["3c9b0459"])
    other = task_context(tasks["c59eb873"])
    examples = [(ctx, (("flip_h", ()),))] * 20 + [(other, (("tile", (2,)), ("flip_v", ())))] * 5
    fitted = fit(grammar, examples, smoothing=0.5, relative=False)
    for name in ("flip_h", "tile", "flip_v"):
        assert fitted.default[name] > 1 / len(grammar.names)
    assert fitted.weight(ctx, "flip_h") > 5 * grammar.weight(ctx, "flip_h")
    assert fitted.weight(ctx, "flip_h") > fitted.weight(other, "flip_h")
    assert fitted.weight(other, "tile") > grammar.weight(other, "tile")
    unseen = ("mixed", "-", "same", "nosep", "multi", "many")  # backs off to the global weights
    assert fitted.weight(unseen, "flip_h") > grammar.weight(unseen, "flip_h")
    assert grammar.lengths[0] < fitted.lengths[0] < 0.9  # longer programs keep a chance
    more = fit(grammar, examples, smoothing=5.0, relative=False)  # more smoothing, smaller shift
    assert grammar.weight(ctx, "flip_h") < more.weight(ctx, "flip_h") < fitted.weight(ctx, "flip_h")
    with pytest.raises(ValueError):
        fit(grammar, examples, smoothing=0)


def test_a_relative_fit_learns_what_the_features_add(grammar, tasks):
    ctx = task_context(tasks["3c9b0459"])
    other = task_context(tasks["c59eb873"])
    examples = [(ctx, (("flip_h", ()),))] * 20 + [(other, (("tile", (2,)), ("flip_v", ())))] * 5
    fitted = fit(grammar, examples, smoothing=0.5)
    # How often the search proposed each primitive is not learned: the global weights and the
    # lengths stay; a context's weights tilt by how much likelier a primitive is there.
    assert fitted.default == grammar.default and fitted.lengths == grammar.lengths
    assert fitted.weight(ctx, "flip_h") > 2 * grammar.weight(ctx, "flip_h")
    assert fitted.weight(other, "flip_h") < grammar.weight(other, "flip_h")
    assert fitted.weight(other, "tile") > 2 * grammar.weight(other, "tile")
    unseen = ("mixed", "-", "same", "nosep", "multi", "many")
    assert fitted.weight(unseen, "flip_h") == pytest.approx(grammar.weight(unseen, "flip_h"))


def test_fit_learns_transitions_arguments_and_preferences(grammar, tasks):
    crop_then_recolour = (("crop_object", ("largest",)), ("recolour", (1, 2)))
    recolour = tasks["c8f0f002"]  # 7 becomes 5: colour_to 5 is the task's telling colour
    info = task_info(recolour)
    examples = [(info, crop_then_recolour)] * 30 + [(info, (("recolour", (7, 5)),))] * 30
    fitted = fit(grammar, examples)
    ctx = task_context(tasks["c59eb873"])  # another kind of task: the transitions hold there too
    # Transitions: after crop_object, recolour is likelier than it is as a first step.
    assert fitted.weight(ctx, "recolour", "crop_object") > 1.3 * fitted.weight(ctx, "recolour")
    assert fitted.weight(ctx, "flip_h", "crop_object") < fitted.weight(ctx, "flip_h")
    assert fitted.weight(ctx, "recolour", "flip_h") == fitted.weight(ctx, "recolour")  # no data
    # Arguments: crop_object takes "largest", directions keep their uniform chances.
    drawer = fitted.drawer(recolour.public())
    before = grammar.drawer(recolour.public())
    assert drawer.chance("selector", "largest", "crop_object/0") > 3 * before.chance(
        "selector", "largest"
    )
    assert drawer.chance("selector", "largest", "keep_object/0") == before.chance(
        "selector", "largest"
    )
    # Preferences: half the colour_to arguments are the task's telling colour 5.
    assert (
        0.05 <= fitted.preferences["colour_to"] < grammar.drawer(recolour).preferred["colour_to"][1]
    )
    rng = random.Random(0)
    draws = Counter(drawer.draw("selector", rng, "crop_object/0") for _ in range(500))
    assert draws.most_common(1)[0][0] == "largest"
    # Sampling follows the transitions: recolour after crop_object.
    pairs = [fitted.sample(drawer, rng, 2) for _ in range(2000)]
    after_crop = [b for (a, _), (b, _) in pairs if a == "crop_object"]
    assert after_crop and after_crop.count("recolour") / len(after_crop) > 0.2


def test_json_round_trip(grammar, tasks, tmp_path):
    ctx = task_context(tasks["3c9b0459"])
    examples = [(ctx, (("rotate_180", ()),))] * 3
    examples += [(task_info(tasks["c8f0f002"]), (("crop_object", ("largest",)), ("flip_h", ())))]
    fitted = fit(grammar, examples)
    assert fitted.transitions and fitted.arguments
    fitted.save(tmp_path / "weights.json")
    loaded = Grammar.load(tmp_path / "weights.json")
    assert loaded.to_json() == fitted.to_json()
    task = tasks["3c9b0459"].public()
    a, b = random.Random(3), random.Random(3)
    assert [fitted.sample(task, a) for _ in range(100)] == [
        loaded.sample(task, b) for _ in range(100)
    ]
    with pytest.raises(ValueError):
        Grammar.from_json({"format": "something else"})
    old = {k: v for k, v in fitted.to_json().items() if k in ("format", "lengths", "contexts")}
    assert Grammar.from_json({**old, "version": 1}).transitions == {}  # a version 1 file


@dataclass(frozen=True)
class Entry:
    fn: object
    params: tuple[str, ...]


def test_any_registry_content(tasks):
    registry = {
        "mirror": Entry(lambda g: g[:, ::-1], ()),
        "paint": Entry(lambda g, c: np.full_like(g, c), ("colour",)),
        "double": Entry(lambda g, k: np.kron(g, np.ones((k, k), int)), ("factor",)),
        "odd": Entry(lambda g, x: g, ("no_such_kind",)),
    }
    kinds = {"colour": None, "factor": (2, 3)}
    small = Grammar(default={"mirror": 3.0, "gone": 5.0}, primitives=registry, kinds=kinds)
    assert small.names == ["mirror", "paint", "double"]
    assert small.effects() == {"mirror": SAME, "paint": SAME, "double": LARGER}
    task = tasks["c59eb873"].public()
    rng = random.Random(0)
    names = Counter(name for _ in range(500) for name, _ in small.sample(task, rng))
    assert set(names) == {"mirror", "paint", "double"}
    parent = (("mirror", ()),)
    assert edit_made(parent, small.mutate(parent, task, rng)) is not None
    with pytest.raises(ValueError):
        Grammar(primitives={"odd": registry["odd"]}, kinds=kinds)
