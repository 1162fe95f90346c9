"""Datasets from run logs: records built with the policies' prompts, JSONL that ``datasets``
reads, counts per filter and bucket, several runs pooled."""

from __future__ import annotations

import itertools
import json

import pytest
from soar.agents.prompts import (
    SYSTEM_PROMPT,
    PromptConfig,
    answer_message,
    refine_prompt,
    sample_prompt,
)
from soar.agents.runs.rundir import RunDir
from soar.agents.search.node import Node
from soar.training.dataset import build_dataset, write_jsonl
from soar.training.relabel import relabel
from soar.training.shuffle import reorder_result, reorder_task

TASK_IDS = ("3c9b0459", "67a3c6ac")  # rotate by 180 degrees; mirror left-right


def code(line: str) -> str:
    return f"def transform(grid):\n    return {line}\n"


ROTATE = code("[row[::-1] for row in grid[::-1]]")
MIRROR = code("[row[::-1] for row in grid]")
SAMPLES = [
    code("grid"),  # identity: dropped
    code("[list(r) for r in zip(*grid)]"),
    code("grid[::-1]"),
    MIRROR,
    ROTATE,
    code("1 / 0"),  # error: dropped
]
REFINES = [(1, code("[list(r)[::-1] for r in grid[::-1]]")), (2, code("[r[::-1] for r in grid]"))]


@pytest.fixture(scope="module")
def tasks(arc1_train):
    return [arc1_train[task_id] for task_id in TASK_IDS]


def write_run(path, tasks, executor, samples, refines=()) -> RunDir:
    """A run whose log of each task holds ``samples``, then refinements of (parent id, program)."""
    run = RunDir.create(path, {"tasks": "arc1/train:" + ",".join(TASK_IDS)})
    for task in tasks:
        jobs = [(None, "sample", p) for p in samples] + [(i, "refine", p) for i, p in refines]
        results = executor.run([(task.public(), program) for _, _, program in jobs])
        nodes = [
            Node(task.id, i, parent, kind, "test", program,
                 train=r.train, test=r.test, train_correct=r.train_correct)
            for i, ((parent, kind, program), r) in enumerate(zip(jobs, results, strict=True))
        ]  # fmt: skip
        run.append_nodes(task.id, nodes)
    return run


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tasks, executor):
    root = tmp_path_factory.mktemp("runs")
    first = write_run(root / "first", tasks, executor, SAMPLES, REFINES)
    second = write_run(root / "second", tasks, executor, [ROTATE, code("[r[:] for r in grid]")])
    return [first, second]


def find(runs, record) -> tuple[Node, list[Node]]:
    """The node a record was made from, and the log it is in."""
    run = next(r for r in runs if str(r.path) == record["run"])
    log = run.read_nodes(record["task_id"])
    return log[record["node_id"]], log


def test_records_are_built_with_the_policies_prompts(runs, tasks):
    records, _ = build_dataset(runs, tasks, refinement=True, shuffle_pairs=False)
    by_id = {task.id: task for task in tasks}
    sources = {record["source"] for record in records}
    assert sources == {"sample", "refine"}
    for record in records:
        system, user, assistant = record["messages"]
        assert [m["role"] for m in record["messages"]] == ["system", "user", "assistant"]
        assert system["content"] == SYSTEM_PROMPT
        node, log = find(runs, record)
        task = by_id[record["task_id"]]
        assert assistant == answer_message(node.program)
        if record["source"] == "sample":
            assert user["content"] == sample_prompt(relabel(task, node).public())
            assert record["bucket"] == ""
        else:
            up = log[node.parent_id]
            assert user["content"] == refine_prompt(task, up.program, up.result())
            assert record["bucket"] == "zero"
        assert record["strategy"] == "greedy-diverse"


def test_counts_per_filter_and_bucket(runs, tasks):
    records, stats = build_dataset(runs, tasks, refinement=True)
    assert stats["nodes"] == 2 * (len(SAMPLES) + len(REFINES) + 2)
    assert stats["dropped"]["identity-output"] == 4  # code("grid") and its twin in the second run
    assert stats["dropped"]["error"] == 2
    assert stats["dropped"]["duplicate-code"] == 2  # ROTATE again in the second run
    assert stats["kept"] == stats["samples"] == 2 * 6
    # Solving: ROTATE and its refinement on 3c9b0459; MIRROR and its refinement on 67a3c6ac.
    assert stats["samples_solving"] == 4
    # Transposing (3c9b0459) and flipping (67a3c6ac) get no pair right; the refinements solve.
    assert stats["refine"]["pairs"] == {
        "zero": 2,
        "up-to-third": 0,
        "below-one": 0,
        "train-perfect": 0,
    }
    assert sum(stats["refine"]["chosen"].values()) == sum(r["source"] == "refine" for r in records)
    assert stats["records"] == len(records)


def test_refinement_is_optional_and_capped(runs, tasks):
    records, stats = build_dataset(runs, tasks, per_task=1, refinement=False)
    assert "refine" not in stats
    assert [r["source"] for r in records] == ["sample", "sample"]


def test_jsonl_loads_with_datasets(runs, tasks, tmp_path):
    datasets = pytest.importorskip("datasets")
    records, _ = build_dataset(runs, tasks, refinement=True)
    path = write_jsonl(records, tmp_path / "out" / "data.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records
    loaded = datasets.load_dataset("json", data_files=str(path), split="train")
    assert loaded.num_rows == len(records)
    assert set(loaded.column_names) == {
        "messages", "task_id", "source", "strategy", "bucket", "node_id", "run",
    }  # fmt: skip
    assert loaded[0]["messages"] == records[0]["messages"]


def test_prompt_settings_reach_the_records(runs, tasks):
    config = PromptConfig(grid_style="digits", colour_legend=False)
    records, _ = build_dataset(runs[:1], tasks[:1], per_task=1, prompts=config, shuffle_pairs=False)
    (record,) = records
    node, _ = find(runs, record)
    assert record["messages"][1]["content"] == sample_prompt(relabel(tasks[0], node), config)


def test_vote_weighted_without_ground_truth(runs, tasks):
    public = [task.public() for task in tasks]
    records, stats = build_dataset(runs, public, strategy="vote-weighted", per_task=3)
    assert stats["samples"] == len(records) == 6
    assert {r["strategy"] for r in records} == {"vote-weighted"}


def test_tasks_without_logs_give_nothing(runs, arc1_train):
    records, stats = build_dataset(runs, [arc1_train["007bbfb7"]], refinement=True)
    assert records == [] and stats["tasks_with_nodes"] == 0 and stats["tasks"] == 1
    with pytest.raises(ValueError, match="strategy"):
        build_dataset(runs, [], strategy="best")


def _orders(task):
    return [
        (list(train), list(test))
        for train in itertools.permutations(range(len(task.train)))
        for test in itertools.permutations(range(len(task.test)))
    ]


def test_each_record_shows_its_pairs_in_an_order_drawn_from_the_seed(runs, tasks):
    by_id = {task.id: task for task in tasks}
    records, stats = build_dataset(runs, tasks, refinement=True, seed=3)
    assert stats["shuffled_pairs"] is True
    assert build_dataset(runs, tasks, refinement=True, seed=3)[0] == records  # repeatable
    other, _ = build_dataset(runs, tasks, refinement=True, seed=4)
    assert [r["messages"] for r in other] != [r["messages"] for r in records]
    plain, _ = build_dataset(runs, tasks, refinement=True, shuffle_pairs=False)
    changed = 0
    for record, unshuffled in zip(records, plain, strict=True):
        node, log = find(runs, record)
        task = by_id[record["task_id"]]
        shown = record["messages"][1]["content"]
        if record["source"] == "sample":
            relabeled = relabel(task, node)
            prompts = [
                sample_prompt(reorder_task(relabeled, train, test).public())
                for train, test in _orders(relabeled)
            ]
        else:  # the parent's feedback moves with its pairs
            up = log[node.parent_id]
            prompts = [
                refine_prompt(
                    reorder_task(task, train, test),
                    up.program,
                    reorder_result(up.result(), train, test),
                )
                for train, test in _orders(task)
            ]
        assert shown in prompts  # the same pairs, in some order
        assert record["messages"][2] == unshuffled["messages"][2]  # the same answer
        changed += shown != unshuffled["messages"][1]["content"]
    assert changed >= len(records) // 2  # 3 or 4 train pairs: most orders differ
