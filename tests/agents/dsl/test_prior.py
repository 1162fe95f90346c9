"""The description length of DSL programs under the grammar, and its fallback for other programs."""

from __future__ import annotations

import math

import pytest
from soar.agents.dsl.grammar import Grammar
from soar.agents.dsl.prior import UNLIKELY, description_length, program_prior
from soar.agents.dsl.program import to_source
from soar.agents.voting import source_description_length


def test_it_is_minus_the_log_chance_of_each_choice(grammar, public_tasks):
    task = public_tasks["c8f0f002"]  # recolours 7 to 5
    drawer = grammar.drawer(task)
    ctx = drawer.info.context
    steps = (("recolour", (7, 5)),)
    expected = -math.log(
        grammar.lengths[0]
        * grammar.weight(ctx, "recolour")
        * drawer.chance("colour_from", 7)
        * drawer.chance("colour_to", 5)
    )
    assert description_length(grammar, steps, task) == pytest.approx(expected)


def test_longer_programs_and_unlikely_arguments_cost_more(grammar, public_tasks):
    task = public_tasks["c8f0f002"]
    one = description_length(grammar, (("recolour", (7, 5)),), task)
    assert description_length(grammar, (("recolour", (7, 5)), ("flip_h", ())), task) > one
    # 5 is the colour the changed cells become: the task's own argument is the cheaper one.
    assert description_length(grammar, (("recolour", (7, 1)),), task) > one


def test_every_program_gets_a_finite_length(grammar, public_tasks):
    task = public_tasks["c8f0f002"]
    unknown = description_length(grammar, (("no_such_primitive", (1,)),), task)
    assert UNLIKELY < unknown < math.inf
    foreign = description_length(grammar, (("recolour", (3, 9)),), task)  # colours not in task
    assert foreign > 2 * UNLIKELY - 1
    assert description_length(grammar, (), task) > 0


def test_program_prior_reads_any_source(public_tasks):
    prior = program_prior(public_tasks["3c9b0459"])
    dsl = to_source((("rotate_180", ()),))
    python = "def transform(grid):\n    return [row[::-1] for row in grid[::-1]]\n"
    assert prior(dsl) == description_length(
        Grammar(), (("rotate_180", ()),), public_tasks["3c9b0459"]
    )
    assert prior(python) == source_description_length(python)
    assert prior(None) == prior("") == UNLIKELY
    damaged = "# dsl: [[\n" + dsl.split("\n", 1)[1]  # a header that does not parse
    assert prior(damaged) == source_description_length(damaged)
