"""The relations every train output keeps with its input, and counting the ones an answer breaks."""

from __future__ import annotations

from soar.agents.consistency import OutputChecks
from soar.arc_env import Pair, Task, load_tasks


def test_relations_of_real_tasks():
    train = {task.id: task for task in load_tasks("arc1/train")}
    rotate = OutputChecks(train["3c9b0459"])  # turns the grid by a half turn
    assert {"same-shape", "input-colours"} <= set(rotate.relations)
    assert "scaled" in rotate.relations and "transposed" not in rotate.relations
    scale = OutputChecks(train["c59eb873"])  # scales up twice
    assert "scaled" in scale.relations and "same-shape" not in scale.relations
    test = train["c59eb873"].test[0]
    assert scale.violations([test.input], [test.output]) == 0
    assert scale.violations([test.input], [test.input]) >= 2  # not scaled, and unchanged
    recolour = OutputChecks(train["c8f0f002"])  # 7 becomes 5
    assert "known-colours" in recolour.relations and "input-colours" not in recolour.relations


def test_violations_count_each_input_and_relation():
    task = Task(
        "t",
        (Pair(((1, 0), (0, 0)), ((2, 2), (2, 2))), Pair(((3, 0, 0),), ((2, 2, 2),))),
        (),
    )
    checks = OutputChecks(task)
    assert {"same-shape", "fixed-colours", "known-colours", "changed"} <= set(checks.relations)
    assert "fixed-shape" not in checks.relations and "input-colours" not in checks.relations
    inputs = [((4, 0),), ((5,),)]
    assert checks.violations(inputs, [((2, 2),), ((2,),)]) == 0
    wrong_shape = checks.violations(inputs, [((2,),), ((2,),)])
    wrong_colour = checks.violations(inputs, [((2, 7),), ((2,),)])
    assert wrong_shape >= 1 and wrong_colour >= 2  # a colour never seen: two relations broken
    assert checks.violations(inputs, [((2, 7),), ((5,),)]) > wrong_colour  # and one unchanged


def test_a_task_without_outputs_has_no_relations():
    assert OutputChecks(Task("t", (), ())).relations == {}
    assert OutputChecks(Task("t", (), ())).violations([((1,),)], [((2,),)]) == 0
