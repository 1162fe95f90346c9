"""Render the released SOAR pipeline's prompts with its own functions, and compare them with ours.

Not a test (pytest does not collect it) and not part of the package: it makes the golden files of
this folder and runs the parity check on the evaluation tasks. It never copies the original code;
stage 2 imports it from a checkout given on the command line. Three stages:

1. ``cases`` (this project's environment): build the cases, run their programs with this
   project's executor, write the cases and this project's messages as JSON::

       .venv/bin/python tests/agents/golden/render_original.py cases --golden /tmp/golden.json
       .venv/bin/python tests/agents/golden/render_original.py cases --eval /tmp/eval.json

2. ``original`` (any Python 3.11 with numpy and scipy where this project is *not* importable as
   ``soar``, e.g. the system interpreter run from outside the repository): import the original
   from a checkout of github.com/flowersteam/SOAR (``git archive`` of its ``soar/`` folder) and
   render every case with its functions::

       cd /tmp && python3 /path/to/render_original.py original /tmp/eval.json /tmp/eval-orig.json \\
           --soar-repo /tmp/soar-orig [--original-executor]

   System message: ``soar.api.get_completion`` called with a client that records the messages.
   Sampling: ``get_solver_prompt(task, fewshot, prompt_solver=prompt_wo_fewshot_v1_ or
   prompt_fewshot_v1, grid_display_mode="numpy", alt_colors=True)`` as
   ``soar/inference/sample_phase.py`` calls it, the few-shot solution being ``"```python\\n" +
   code + "\\n```"`` as ``format_fewshot_examples`` makes it. Refinement: the answer text goes
   through ``format_all_generation`` (the original's code extraction); the previous response is
   that code with this project's executor results (grids as lists, an input without a grid as
   this project's error text); ``get_repair_prompt(task, [previous],
   prompt_solver=prompt_repair_sol_v1, grid_display_mode="numpy", alt_colors=True,
   prompt_colors=True, max_example=-1)`` as ``soar/repair/rex.py`` calls it. With
   ``--original-executor`` the code is also run by the original's ``check_solutions`` and the
   prompt rendered from those results (``prompt_original_executor``).

   Modules the rendering does not use are stubbed (``openai``, ``tenacity``, ``soar.render``,
   which only serve API calls, retries and pictures).

3. ``compare`` (either environment): count identical prompts; ``--write-golden DIR`` writes the
   original's renderings as golden files::

       python3 render_original.py compare /tmp/eval.json /tmp/eval-orig.json
"""

from __future__ import annotations

import argparse
import json
import sys
import types
from pathlib import Path

ANSWER = "```python\n{}\n```"

FAULTY = """\
import numpy as np

def transform(grid):
    a = np.array(grid)
    if a[0, 0] == 2 and a[0, 1] == 2:
        raise ValueError("unexpected corner")
    if a[0, 0] == 9:
        while True:
            pass
    return np.fliplr(a).tolist()
"""
"""Raises on the first train input of 3c9b0459, loops forever on the second, answers the rest."""

IDENTITY = "def transform(grid):\n    return grid\n"

ROLL_ANSWER = """\
The shape moves down by one row.

```python
def transform(grid_lst: list[list[int]]) -> list[list[int]]:
    # Move every row down by one (the last row is empty).
    grid = np.array(grid_lst)
    return np.roll(grid, 1, axis=0).tolist()

def test_transform():
    assert transform([[1], [0]]) == [[0], [1]], 'one step down'

test_transform()
print("All tests passed")
```
This should work."""
"""An answer with a comment, numpy used without importing it, a test function and calls."""

NP_IDENTITY = """\
def transform(grid_lst: list[list[int]]) -> list[list[int]]:
    # Leave the grid as it is.
    grid = np.array(grid_lst)
    return grid.tolist()
"""

ROTATE_EXAMPLE = "def transform(grid):\n    # Rotate by 180 degrees.\n    return [row[::-1] for row in grid[::-1]]"


def first_pair_program(task) -> str:
    pair = task.train[0]
    return (
        "def transform(grid):\n"
        f"    if grid == {[list(r) for r in pair.input]}:\n"
        f"        return {[list(r) for r in pair.output]}\n"
        "    return [row[::-1] for row in grid]\n"
    )


def known_pairs_program(task) -> str:
    known = {str([list(r) for r in p.input]): [list(r) for r in p.output] for p in task.train}
    return f"def transform(grid):\n    known = {known!r}\n    return known.get(str(grid), grid)\n"


EVAL_PROGRAMS = {
    "np-without-import": lambda task: ANSWER.format(NP_IDENTITY),
    "first-pair": lambda task: ANSWER.format(first_pair_program(task)),
    "every-train-pair": lambda task: ANSWER.format(known_pairs_program(task)),
    "test-function": lambda task: ROLL_ANSWER,
}
"""The answers refined on every evaluation task: every output is a grid."""


def task_dict(task) -> dict:
    def grid(g):
        return [list(r) for r in g]

    return {
        "train": [{"input": grid(p.input), "output": grid(p.output)} for p in task.train],
        "test": [{"input": grid(p.input), "output": grid(p.output)} for p in task.test],
    }


# ------------------------------------------------------------------------------ stage 1: cases


def build_cases(kind: str) -> list[dict]:
    from soar.arc_env import load_tasks

    cases = []
    if kind == "golden":
        tasks = {t.id: t for t in load_tasks("arc1/train:3c9b0459,007bbfb7,25ff71a9,8d5021e8")}
        for task_id in ("3c9b0459", "007bbfb7", "25ff71a9", "8d5021e8"):
            cases.append({"name": f"sample_{task_id}", "kind": "sample", "task": tasks[task_id]})
        cases.append(
            {
                "name": "fewshot_007bbfb7",
                "kind": "sample",
                "task": tasks["007bbfb7"],
                "fewshot": (tasks["3c9b0459"], ROTATE_EXAMPLE),
            }
        )
        for name, task_id, answer in [
            ("refine_3c9b0459_wrong_grids", "3c9b0459", ANSWER.format(IDENTITY)),
            ("refine_3c9b0459_error_timeout", "3c9b0459", ANSWER.format(FAULTY)),
            ("refine_25ff71a9_every_train_pair", "25ff71a9", ROLL_ANSWER),
            (
                "refine_8d5021e8_some_pairs",
                "8d5021e8",
                ANSWER.format(first_pair_program(tasks["8d5021e8"])),
            ),
        ]:
            cases.append({"name": name, "kind": "refine", "task": tasks[task_id], "answer": answer})
        return cases
    fewshot_task = load_tasks("arc1/train:3c9b0459")[0]
    for split in ("arc1/eval", "arc2/eval"):
        for task in sorted(load_tasks(split), key=lambda t: t.id):
            name = f"{split}/{task.id}"
            cases.append({"name": f"{name}/sample", "kind": "sample", "task": task})
            cases.append(
                {
                    "name": f"{name}/fewshot",
                    "kind": "sample",
                    "task": task,
                    "fewshot": (fewshot_task, ROTATE_EXAMPLE),
                }
            )
            for label, make in EVAL_PROGRAMS.items():
                cases.append(
                    {
                        "name": f"{name}/{label}",
                        "kind": "refine",
                        "task": task,
                        "answer": make(task),
                    }
                )
    return cases


def render_ours(cases: list[dict], timeout: float) -> list[dict]:
    from soar.agents.extraction import extract_program
    from soar.agents.prompts import (
        FewShotExample,
        PromptConfig,
        error_text,
        refine_messages,
        sample_messages,
    )
    from soar.arc_env import Executor

    refines = [c for c in cases if c["kind"] == "refine"]
    programs = []
    for case in refines:
        program, why = extract_program(case["answer"])
        assert program is not None, (case["name"], why)
        programs.append(program)
    with Executor(timeout=timeout) as executor:
        results = executor.run([(c["task"], p) for c, p in zip(refines, programs, strict=True)])
    by_name = {c["name"]: (p, r) for c, p, r in zip(refines, programs, results, strict=True)}

    def shown(outcome):
        return [list(r) for r in outcome.output] if outcome.ok else error_text(outcome)

    out = []
    for case in cases:
        record = {"name": case["name"], "kind": case["kind"], "task": task_dict(case["task"])}
        if case["kind"] == "sample":
            config = PromptConfig()
            if "fewshot" in case:
                example_task, example_program = case["fewshot"]
                config = PromptConfig(fewshot=(FewShotExample(example_task, example_program),))
                record["fewshot"] = {
                    "task": task_dict(example_task),
                    "answer": ANSWER.format(example_program),
                }
            record["messages"] = sample_messages(case["task"], config)
        else:
            program, result = by_name[case["name"]]
            record["answer"] = case["answer"]
            record["result"] = {
                "correct_train_input": list(result.train_correct),
                "predicted_train_output": [shown(o) for o in result.train],
                "predicted_test_output": [shown(o) for o in result.test],
                "all_grids": not result.errored,
            }
            record["messages"] = refine_messages(case["task"], program, result)
        out.append(record)
    return out


# --------------------------------------------------------------------------- stage 2: original


def import_original(repo: str) -> types.SimpleNamespace:
    """The original's modules, with the few imports rendering does not need stubbed."""
    stubs = {
        "openai": {"OpenAI": None},
        "tenacity": {
            "retry": lambda **kwargs: lambda fn: fn,
            "wait_exponential": lambda **kwargs: 0,
            "wait_random": lambda **kwargs: 0,
        },
        "soar.render": {"alt_color_scheme_name": {}, "color_scheme_name": {}},
    }
    for name, attributes in stubs.items():
        if name == "soar.render" or name not in sys.modules:
            module = types.ModuleType(name)
            module.__dict__.update(attributes)
            sys.modules[name] = module
    sys.path.insert(0, repo)
    import soar

    assert Path(soar.__path__[0]).resolve() == (Path(repo) / "soar").resolve(), soar.__path__
    sys.modules["soar"].render = sys.modules["soar.render"]
    from soar.sandbox import execute_code_less_safe

    from soar import api, llm_utils, prompt

    return types.SimpleNamespace(
        api=api, llm_utils=llm_utils, prompt=prompt, sandbox=execute_code_less_safe
    )


def original_system_prompt(orig) -> str:
    seen = []

    class Completions:
        def create(self, messages, **kwargs):
            seen.append(messages)
            choice = types.SimpleNamespace(message=types.SimpleNamespace(content=""))
            return types.SimpleNamespace(choices=[choice])

    client = types.SimpleNamespace(chat=types.SimpleNamespace(completions=Completions()))
    orig.api.get_completion(client, "PROMPT", {"model": "julien31/Soar-qwen-7b"})
    (messages,) = seen
    assert messages[1] == {"role": "user", "content": "PROMPT"}
    return messages[0]["content"]


def render_original(records: list[dict], orig, original_executor: bool) -> list[dict]:
    p = orig.prompt
    system = original_system_prompt(orig)
    out = []
    refines = []
    for record in records:
        task = record["task"]
        rendered = {"name": record["name"], "system": system}
        if record["kind"] == "sample":
            examples, template = [], p.prompt_wo_fewshot_v1_
            if "fewshot" in record:
                example = record["fewshot"]
                code = orig.llm_utils.extract_transform(example["answer"])
                solution = "```python\n" + code + "\n```"  # as format_fewshot_examples makes it
                examples = p.get_list_fewshot_example([example["task"]], [solution])
                template = p.prompt_fewshot_v1
            rendered["user"] = p.get_solver_prompt(
                task, examples, prompt_solver=template, grid_display_mode="numpy", alt_colors=True
            )
        else:
            generated = orig.llm_utils.format_all_generation(
                [[record["answer"]]], [record["name"]], use_vllm_generate=False
            )
            previous = generated[record["name"]][0]
            fed = {
                "code": previous["code"],
                **{k: v for k, v in record["result"].items() if k != "all_grids"},
            }
            rendered["user"] = repair_prompt(p, task, fed)
            rendered["code"] = previous["code"]
            refines.append((record, rendered, previous))
        out.append(rendered)
    if original_executor and refines:
        dict_response = {rec["name"]: [prev] for rec, _, prev in refines}
        dataset = {rec["name"]: rec["task"] for rec, _, _ in refines}
        checked = orig.sandbox.check_solutions(dict_response, dataset, max_workers=2)
        for record, rendered, _ in refines:
            previous = checked[record["name"]][0]
            rendered["original_executor"] = {
                k: previous.get(k)
                for k in ("correct_train_input", "predicted_train_output", "predicted_test_output")
            }
            if "correct_train_input" in previous:
                rendered["prompt_original_executor"] = repair_prompt(p, record["task"], previous)
    return out


def repair_prompt(p, task: dict, previous: dict) -> str:
    return p.get_repair_prompt(
        task,
        [previous],
        prompt_solver=p.prompt_repair_sol_v1,
        grid_display_mode="numpy",
        alt_colors=True,
        prompt_colors=True,
        max_example=-1,
    )


# ---------------------------------------------------------------------------- stage 3: compare


def compare(ours: list[dict], original: list[dict], golden: Path | None) -> int:
    counts: dict[str, list[int]] = {}
    mismatches = []
    for mine, theirs in zip(ours, original, strict=True):
        assert mine["name"] == theirs["name"]
        label = mine["kind"] if "fewshot" not in mine else "fewshot"
        system_ok = mine["messages"][0]["content"] == theirs["system"]
        user_ok = mine["messages"][1]["content"] == theirs["user"]
        key = label if mine["kind"] == "sample" or mine["result"]["all_grids"] else "refine-errors"
        counts.setdefault(key, [0, 0])
        counts[key][0] += system_ok and user_ok
        counts[key][1] += 1
        if not (system_ok and user_ok):
            mismatches.append(mine["name"])
        if "original_executor" in theirs:  # the original pipeline end to end, its executor too
            same = theirs.get("prompt_original_executor") == mine["messages"][1]["content"]
            if mine["result"]["all_grids"]:
                key = "refine, original executor"
                if not same:
                    mismatches.append(mine["name"] + " (original executor)")
            else:  # the error texts differ by design
                key = "refine-errors, original executor"
            counts.setdefault(key, [0, 0])
            counts[key][0] += same
            counts[key][1] += 1
        if golden is not None:
            (golden / f"{mine['name']}.txt").write_text(theirs["user"])
            (golden / "system.txt").write_text(theirs["system"])
    for key, (same, total) in counts.items():
        print(f"{key}: {same}/{total} identical")
    for name in mismatches[:20]:
        print("differs:", name)
    return 1 if mismatches else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="stage", required=True)
    cases = sub.add_parser("cases")
    which = cases.add_mutually_exclusive_group(required=True)
    which.add_argument("--golden", action="store_true")
    which.add_argument("--eval", action="store_true")
    cases.add_argument("out")
    cases.add_argument("--timeout", type=float, default=0.5)
    original = sub.add_parser("original")
    original.add_argument("cases")
    original.add_argument("out")
    original.add_argument("--soar-repo", required=True)
    original.add_argument("--original-executor", action="store_true")
    comp = sub.add_parser("compare")
    comp.add_argument("cases")
    comp.add_argument("original")
    comp.add_argument("--write-golden", type=Path)
    args = parser.parse_args()
    if args.stage == "cases":
        records = render_ours(build_cases("golden" if args.golden else "eval"), args.timeout)
        Path(args.out).write_text(json.dumps(records))
        print(f"{len(records)} cases written to {args.out}")
        return 0
    if args.stage == "original":
        records = json.loads(Path(args.cases).read_text())
        rendered = render_original(records, import_original(args.soar_repo), args.original_executor)
        Path(args.out).write_text(json.dumps(rendered))
        return 0
    ours, theirs = (json.loads(Path(p).read_text()) for p in (args.cases, args.original))
    return compare(ours, theirs, args.write_golden)


if __name__ == "__main__":
    sys.exit(main())
