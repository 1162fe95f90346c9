"""The ``plain`` prompt style: this project's earlier wording of the prompts.

The same task and result layout as the default ``soar`` style (``soar.agents.prompts``), in this
project's own words: a different system message and instructions, a colour legend sentence of its
own, result lines that say plainly what was verified, the program shown as written. Select it with
``PromptConfig(style="plain")``; the released SOAR models were trained on the ``soar`` style.
"""

from __future__ import annotations

from soar.arc_env import ProgramResult, Status, Task
from soar.arc_env.executor.result import InputResult
from soar.arc_env.grid import grid_shape
from soar.arc_env.render import RENDERERS

from .prompts import PromptConfig, error_text, render_task_block, task_to_solve

PLAIN_SYSTEM_PROMPT = (
    "You are an expert at solving Abstraction and Reasoning Corpus (ARC-AGI) tasks: you find the "
    "rule that turns each input grid into its output grid and write it as Python code."
)
PLAIN_COLOUR_LEGEND = (
    "The numbers in the grids stand for colours: 0:Black; 1:Blue; 2:Red; 3:Green; 4:Yellow; "
    "5:Grey; 6:Pink; 7:Orange; 8:Purple; 9:Brown"
)
_PLAIN_CODE = (
    "Write your code in triple backticks (```python and then ```). Define a function named "
    "`transform` that takes one argument, the input grid as `list[list[int]]`, and returns the "
    "output grid (also as `list[list[int]]`)."
)
PLAIN_SAMPLE_INSTRUCTIONS = (
    "You are given the input-output grid pairs of an ARC-AGI task. Every output was made from its "
    "input by the same transformation rule. Implement that rule as a Python function; only write "
    "the code of the transformation.\n"
    f"{_PLAIN_CODE}\n"
    "Make the function work in general: on every given input-output pair and on the test inputs."
)
PLAIN_REFINE_INSTRUCTIONS = (
    "You are given the input-output grid pairs of an ARC-AGI task and a previous implementation "
    "of its transformation rule that does not work on every pair. You are told on which train "
    "pairs it was right, what it produced where it was wrong, and what it produced on the test "
    "inputs. Find what is wrong and write a corrected implementation.\n"
    f"{_PLAIN_CODE}\n"
    "Make the corrected function work on every given input-output pair and on the test inputs."
)


def _plain_preamble(instructions: str, config: PromptConfig) -> str:
    return instructions + (f"\n{PLAIN_COLOUR_LEGEND}" if config.colour_legend else "")


def plain_sample_prompt(task: Task, config: PromptConfig) -> str:
    """The sampling prompt in the plain style (see :func:`soar.agents.prompts.sample_prompt`)."""
    parts = [_plain_preamble(PLAIN_SAMPLE_INSTRUCTIONS, config)]
    if config.fewshot:
        examples = [
            f"# Task {k}:\n{render_task_block(example.task.public(), config.grid_style)}\n\n"
            f"## Solution:\n```python\n{example.program.strip()}\n```"
            for k, example in enumerate(config.fewshot, start=1)
        ]
        parts.append(
            "Here are solved examples of ARC-AGI tasks with their Python solution (`transform`):\n\n"
            + "\n\n".join(examples)
        )
    parts.append("Now, solve the following ARC-AGI task:\n\n" + task_to_solve(task, config))
    return "\n\n".join(parts)


def describe_result(result: ProgramResult, style: str) -> str:
    """The previous program's results in the ``plain`` style: per train pair right or wrong (with
    the grid produced, or why none), then the outputs on the test inputs, marked as not verified."""
    n = len(result.train_correct)
    lines = [
        f"This implementation of transform function correctly worked on "
        f"{sum(result.train_correct)}/{n} train input-output pairs.",
        "Detailed results:",
    ]
    wrong = []
    for i, (outcome, right) in enumerate(zip(result.train, result.train_correct, strict=True), 1):
        if right:
            lines.append(f"## Output {i} computed by `transform` is correct.")
            continue
        wrong.append(f"Output {i}")
        lines.append(f"## Output {i} computed by `transform` is incorrect.")
        lines.append(_plain_outcome(outcome, style))
    for i, outcome in enumerate(result.test, 1):
        lines.append(
            f"## Output Test {i} computed by `transform` "
            "(not verified: we do not know whether it is correct):"
        )
        lines.append(_plain_outcome(outcome, style))
    if wrong:
        lines.append(
            f"\nThe previous code gives incorrect output for: {', '.join(wrong)}. Now, you need "
            "to fix the code to produce correct output for all inputs."
        )
    else:
        lines.append(
            "\nThe previous code gives correct output for all train inputs, but it may not "
            "generalize to the test inputs. Now, you need to make sure the code is correct in general."
        )
    return "\n".join(lines)


def _plain_outcome(outcome: InputResult, style: str) -> str:
    if outcome.status is Status.OK and outcome.output is not None:
        rows, columns = grid_shape(outcome.output)
        return (
            f"The execution gave the following results (grid shape: {rows} by {columns}):\n"
            f"{RENDERERS[style](outcome.output)}"
        )
    return error_text(outcome)


def plain_refine_prompt(
    task: Task, program: str, result: ProgramResult, config: PromptConfig
) -> str:
    """The refinement prompt in the plain style (see :func:`soar.agents.prompts.refine_prompt`)."""
    return "\n\n".join(
        [
            _plain_preamble(PLAIN_REFINE_INSTRUCTIONS, config),
            task_to_solve(task, config),
            f"Previous implementation:\n```python\n{program.strip()}\n```\n"
            + describe_result(result, config.grid_style),
        ]
    )
