"""The prompts: one module shared by inference and training data.

Both prompts follow the layout of the prompts the SOAR models (``julien31/Soar-qwen-*``,
``julien31/Soar-mistral-123b``) were trained on, so those models can be plugged in as they are: a
system line giving the solver role; instructions to write ``transform`` in a ```python block that
works in general; the colour legend; the task under ``# Task to solve:`` with every grid under a
header such as ``## Input 1 (grid shape: 3 by 3):`` in numpy-style rows. The refinement prompt
adds the previous code and its per-pair results. Grids are always rendered in full.

Training data is built with these same functions (``training`` imports them), so the model is
trained on exactly what it will be asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from soar.arc_env import ProgramResult, Status, Task
from soar.arc_env.grid import Grid, grid_shape
from soar.arc_env.render import RENDERERS
from soar.arc_env.task import Pair

SYSTEM_PROMPT = (
    "You are an expert at solving Abstraction and Reasoning Corpus (ARC-AGI) tasks: you find the "
    "rule that turns each input grid into its output grid and write it as Python code."
)

COLOUR_LEGEND = (
    "The numbers in the grids stand for colours: 0:Black; 1:Blue; 2:Red; 3:Green; 4:Yellow; "
    "5:Grey; 6:Pink; 7:Orange; 8:Purple; 9:Brown"
)

_CODE_INSTRUCTIONS = (
    "Write your code in triple backticks (```python and then ```). Define a function named "
    "`transform` that takes one argument, the input grid as `list[list[int]]`, and returns the "
    "output grid (also as `list[list[int]]`)."
)

SAMPLE_INSTRUCTIONS = (
    "You are given the input-output grid pairs of an ARC-AGI task. Every output was made from its "
    "input by the same transformation rule. Implement that rule as a Python function; only write "
    "the code of the transformation.\n"
    f"{_CODE_INSTRUCTIONS}\n"
    "Make the function work in general: on every given input-output pair and on the test inputs."
)

REFINE_INSTRUCTIONS = (
    "You are given the input-output grid pairs of an ARC-AGI task and a previous implementation "
    "of its transformation rule that does not work on every pair. You are told on which train "
    "pairs it was right, what it produced where it was wrong, and what it produced on the test "
    "inputs. Find what is wrong and write a corrected implementation.\n"
    f"{_CODE_INSTRUCTIONS}\n"
    "Make the corrected function work on every given input-output pair and on the test inputs."
)


@dataclass(frozen=True)
class FewShotExample:
    """A solved task shown before the task to solve."""

    task: Task
    program: str


@dataclass(frozen=True)
class PromptConfig:
    """How prompts are built. Keep the same settings for inference and for training data."""

    grid_style: str = "numpy"
    """Grid rendering, one of ``soar.arc_env.render.RENDERERS`` (``numpy``, ``digits``, ``colour-names``)."""
    colour_legend: bool = True
    """Include the colour legend line."""
    fewshot: tuple[FewShotExample, ...] = ()
    """Solved example tasks shown in the sampling prompt (the paper's prompt uses none or one)."""

    def __post_init__(self) -> None:
        if self.grid_style not in RENDERERS:
            raise ValueError(
                f"grid_style: expected one of {', '.join(RENDERERS)}, got {self.grid_style!r}"
            )


def render_grid_block(header: str, grid: Grid, style: str) -> str:
    """``## <header> (grid shape: R by C):`` then the grid, complete.

    >>> print(render_grid_block("Input 1", ((3, 3, 8), (3, 7, 0)), "numpy"))
    ## Input 1 (grid shape: 2 by 3):
    [[3 3 8]
     [3 7 0]]
    """
    rows, columns = grid_shape(grid)
    return f"## {header} (grid shape: {rows} by {columns}):\n{RENDERERS[style](grid)}"


def render_task_block(task: Task, style: str) -> str:
    """Every train pair, then every test input (never a test output), one grid per block."""
    blocks = []
    for i, pair in enumerate(task.train, start=1):
        blocks.append(render_grid_block(f"Input {i}", pair.input, style))
        blocks.append(render_grid_block(f"Output {i}", pair.output, style))  # type: ignore[arg-type]
    for i, pair in enumerate(task.test, start=1):
        blocks.append(render_grid_block(f"Test Input {i}", pair.input, style))
    return "\n\n".join(blocks)


def _preamble(instructions: str, config: PromptConfig) -> str:
    return instructions + (f"\n{COLOUR_LEGEND}" if config.colour_legend else "")


def sample_prompt(task: Task, config: PromptConfig | None = None) -> str:
    """The user message asking for a program for ``task`` (its public form is used)."""
    config = config or PromptConfig()
    parts = [_preamble(SAMPLE_INSTRUCTIONS, config)]
    if config.fewshot:
        examples = []
        for k, example in enumerate(config.fewshot, start=1):
            examples.append(
                f"# Task {k}:\n{render_task_block(example.task.public(), config.grid_style)}\n\n"
                f"## Solution:\n```python\n{example.program.strip()}\n```"
            )
        parts.append(
            "Here are solved examples of ARC-AGI tasks with their Python solution (`transform`):\n\n"
            + "\n\n".join(examples)
        )
    parts.append(
        "Now, solve the following ARC-AGI task:\n\n# Task to solve:\n"
        + render_task_block(task.public(), config.grid_style)
    )
    return "\n\n".join(parts)


def sample_messages(task: Task, config: PromptConfig | None = None) -> list[dict[str, str]]:
    """System and user messages for sampling a program for ``task``."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": sample_prompt(task, config)},
    ]


def describe_result(result: ProgramResult, style: str) -> str:
    """The previous program's results as the refinement prompt shows them.

    Per train pair: right or wrong, and when wrong the grid it produced (or why it produced none);
    then the outputs on the test inputs, marked as not verified.
    """
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
        lines.append(_outcome(outcome, style))
    for i, outcome in enumerate(result.test, 1):
        lines.append(
            f"## Output Test {i} computed by `transform` "
            "(not verified: we do not know whether it is correct):"
        )
        lines.append(_outcome(outcome, style))
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


def _outcome(outcome, style: str) -> str:
    if outcome.status is Status.OK and outcome.output is not None:
        rows, columns = grid_shape(outcome.output)
        return (
            f"The execution gave the following results (grid shape: {rows} by {columns}):\n"
            f"{RENDERERS[style](outcome.output)}"
        )
    return f"The execution failed ({outcome.status.value}): {outcome.message}"


def refine_prompt(
    task: Task, program: str, result: ProgramResult, config: PromptConfig | None = None
) -> str:
    """The user message asking to fix ``program``, given its ``result`` on ``task``."""
    config = config or PromptConfig()
    return "\n\n".join(
        [
            _preamble(REFINE_INSTRUCTIONS, config),
            "# Task to solve:\n" + render_task_block(task.public(), config.grid_style),
            f"Previous implementation:\n```python\n{program.strip()}\n```\n"
            + describe_result(result, config.grid_style),
        ]
    )


def refine_messages(
    task: Task, program: str, result: ProgramResult, config: PromptConfig | None = None
) -> list[dict[str, str]]:
    """System and user messages for refining ``program``."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": refine_prompt(task, program, result, config)},
    ]


def answer_message(program: str) -> dict[str, str]:
    """The assistant message that answers with ``program`` (the training target)."""
    return {"role": "assistant", "content": f"```python\n{program.strip()}\n```"}


_GRID_HEADER = re.compile(r"^## (Input|Output|Test Input) (\d+) \(grid shape: (\d+) by (\d+)\):$")


def parse_task_block(text: str, task_id: str = "parsed") -> Task:
    """The task shown under ``# Task to solve:`` in a prompt (numpy or digits grids): the inverse
    of :func:`render_task_block`, for reading training data back.

    >>> from soar.arc_env.task import Pair
    >>> task = Task("t", (Pair(((1, 2),), ((2, 1),)),), (Pair(((3, 4),)),))
    >>> parse_task_block("# Task to solve:\\n" + render_task_block(task, "numpy"), "t") == task
    True
    """
    start = text.find("# Task to solve:")
    lines = text[start:].splitlines() if start >= 0 else text.splitlines()
    inputs: dict[int, Grid] = {}
    outputs: dict[int, Grid] = {}
    tests: dict[int, Grid] = {}
    i = 0
    while i < len(lines):
        header = _GRID_HEADER.match(lines[i])
        if header is None:
            if lines[i].startswith("Previous implementation:"):
                break
            i += 1
            continue
        kind, index, rows, columns = header.group(1), *map(int, header.group(2, 3, 4))
        body = lines[i + 1 : i + 1 + rows]
        grid = tuple(_parse_row(line, columns) for line in body)
        {"Input": inputs, "Output": outputs, "Test Input": tests}[kind][index] = grid
        i += 1 + rows
    if not inputs or sorted(inputs) != sorted(outputs) or not tests:
        raise ValueError("expected a prompt with train input/output grids and test inputs")
    train = tuple(Pair(inputs[k], outputs[k]) for k in sorted(inputs))
    return Task(task_id, train, tuple(Pair(tests[k]) for k in sorted(tests)))


def _parse_row(line: str, columns: int) -> tuple[int, ...]:
    cells = line.replace("[", " ").replace("]", " ").split()
    if len(cells) == 1 and len(cells[0]) == columns:  # digits style: no separators
        cells = list(cells[0])
    if len(cells) != columns:
        raise ValueError(f"expected {columns} cells in the grid row {line!r}")
    return tuple(int(cell) for cell in cells)
