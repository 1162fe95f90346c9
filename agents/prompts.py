"""The prompts: one module shared by inference and training data.

The default style, ``soar``, is the format the released SOAR models (``julien31/Soar-qwen-7b``,
``-14b``, ``-32b``, ``-72b``, ``julien31/Soar-mistral-123b``) were fine-tuned on, byte for byte:
the system message of the original client, the sampling prompt its sampling phase sends (with or
without one few-shot example), and the refinement prompt its REX phase sends (the previous program
normalised as the original showed it, per train pair right or wrong with the grid produced, every
test output, the closing line). Every fixed text below is copied from the original code
(github.com/flowersteam/SOAR, ``soar/api.py`` and ``soar/prompt.py``); the golden files in
``tests/agents/golden/`` were rendered with the original functions.

Where this module departs from the original (never for task grids nor for programs whose outputs
are all grids, so never for what the one-off check on every ARC-AGI-1 and ARC-AGI-2 evaluation
task compared):

- an input that gave no grid shows this project's error text (the original showed its own);
  the shape in parentheses is then empty (the original repeated the last grid's, a left-over);
- module-level assignments and classes stay in the program shown (see
  :func:`soar.agents.extraction.normalise_program`);
- every test input is shown (the original showed at most as many as there are train pairs; no
  ARC-AGI task has more test inputs than train pairs).

The ``plain`` style (``soar.agents.prompts_plain``) is this project's earlier wording: its own
instructions and result lines.
Training data is built with these same functions (``soar.training`` imports them), so a model is
trained on exactly what it will be asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from soar.arc_env import ProgramResult, Status, Task
from soar.arc_env.executor.result import InputResult
from soar.arc_env.grid import Grid, grid_shape
from soar.arc_env.render import RENDERERS
from soar.arc_env.task import Pair

from .extraction import normalise_program

STYLES = ("soar", "plain")

# ---- The released SOAR format: texts copied byte for byte from github.com/flowersteam/SOAR ----

SYSTEM_PROMPT = (  # soar/api.py, get_completion: the default system prompt
    "You are an AI assistant specialized in solving Abstract Reasoning Corpus (ARC-AGI) tasks by "
    "reasoning and generating Python code."
)

COLOUR_LEGEND = (  # soar/prompt.py, get_additional_info_prompt: map_colors_alt (alt_colors=True)
    "The number in the input grid can be mapped to the following colors: 0:Black; 1:Blue; 2:Red; "
    "3:Green; 4:Yellow; 5:Grey; 6:Pink; 7:Orange; 8:Purple; 9:Brown"
)

SAMPLE_INSTRUCTIONS = (  # soar/prompt.py: the head of prompt_wo_fewshot_v1_ and prompt_fewshot_v1
    "You are an AI assistant specialized in solving Abstract Reasoning Corpus (ARC-AGI) tasks by "
    "generating Python code.\n"
    "Your goal is to analyze input-output grid pairs. The outputs were produced by applying a "
    "transformation rule to the inputs. Implement the transformation rules as a Python function.\n"
    "You should only write the implemented the transformation in code.\n"
    "You must write code in triple backticks (```python and then ```). You must write a function "
    "called `transform` which takes a single argument, the input grid as `list[list[int]]`, and "
    "returns the transformed grid (also as `list[list[int]]`).\n"
    "You should make sure that you implement a version of the transformation that works in "
    "general (at least for all given input-output pairs and test input pairs)."
)
_SOLVE = "\nNow, solve the following ARC-AGI task:\n\n{task}"
SAMPLE_TEMPLATE = SAMPLE_INSTRUCTIONS + "\n{additional_info}{fewshot_example}" + _SOLVE
"""``prompt_wo_fewshot_v1_``: sampling without a few-shot example."""
FEWSHOT_TEMPLATE = (
    SAMPLE_INSTRUCTIONS
    + "\n{additional_info}\nHere are examples of ARC-AGI tasks, the reasoning step to find the "
    "solution, and the Python solution (`transform`):\n{fewshot_example}" + _SOLVE
)
"""``prompt_fewshot_v1``: sampling with solved examples."""

REFINE_INSTRUCTIONS = (  # soar/prompt.py: the head of prompt_repair_sol_v1
    "You are an AI assistant specialized in solving Abstract Reasoning Corpus (ARC-AGI) tasks by "
    "repairing Python code implementations.\n"
    "Your goal is to analyze input-output grid pairs. The outputs were produced by applying a "
    "transformation rule to the inputs.\n"
    "You will be given a python function `transform` that was supposed to implement the "
    "transformation rule, but it is not working correctly for all inputs.\n"
    "You role is to fix this `transform` function.\n\n"
    "Your solution should be:\n"
    "- Accurate: Correctly fix the transformation for all given inputs so they give correct "
    "outputs as provided (it should also work for all test inputs)\n"
    "- Comprehensive: Handles all possible input scenarios\n"
    "- Well-structured: Uses clear, readable, and efficient code"
)
REFINE_TEMPLATE = (
    REFINE_INSTRUCTIONS + "\n\n{additional_info}\n\n"
    "**Now, repair the following ARC-AGI task implementation:**\n\n{task}\n\n"
    "Previous implementation:\n{previous_implementation}"
)
"""``prompt_repair_sol_v1``: refinement of one previous program."""

# soar/prompt.py, format_repair_one_previous_response: the result lines.
_WORKED = "This implementation of transform function correctly worked on {}/{} train input-output pairs.\n"  # noqa: E501
_TRAIN = "## Output {} computed by `transform` is {}.\n"
_TEST = "## Output Test {} computed by `transform` (we don't know if it is correct or not) "
_GAVE = "The execution gave the following results ({}):\n{}\n"
_ALL_RIGHT = "The previous code give correct output for all Train input.\n"
_WRONG = "\nThe previous code give incorrect output for: {}. Now, you need to fix the code to produce correct output for all inputs."  # noqa: E501
_TOO_LARGE = "Output is too large to display ({}x{}).\n\n"
TOO_LARGE_SIDE = 50
"""Outputs with a side this long or longer are not shown (the original's ``max_size_display``)."""


@dataclass(frozen=True)
class FewShotExample:
    """A solved task shown before the task to solve."""

    task: Task
    program: str


@dataclass(frozen=True)
class PromptConfig:
    """How prompts are built. Keep the same settings for inference and for training data."""

    style: str = "soar"
    """``soar`` (the released models' format, byte for byte) or ``plain`` (this project's earlier
    wording)."""
    grid_style: str = "numpy"
    """Grid rendering, one of ``soar.arc_env.render.RENDERERS`` (``numpy``, ``digits``, ``colour-names``)."""
    colour_legend: bool = True
    """Include the colour legend line."""
    fewshot: tuple[FewShotExample, ...] = ()
    """Solved example tasks shown in the sampling prompt (the paper's prompt uses none or one)."""

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ValueError(f"style: expected one of {', '.join(STYLES)}, got {self.style!r}")
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


def sample_prompt(task: Task, config: PromptConfig | None = None) -> str:
    """The user message asking for a program for ``task`` (its public form is used)."""
    config = config or PromptConfig()
    if config.style == "plain":
        from .prompts_plain import plain_sample_prompt

        return plain_sample_prompt(task, config)
    # soar/prompt.py, get_solver_prompt with grid_display_mode="numpy", alt_colors=True
    examples = "".join(
        f"# Task {k}:\n{render_task_block(example.task.public(), config.grid_style)}\n\n"
        f"## Solution:\n```python\n{normalise_program(example.program)}\n```\n"
        for k, example in enumerate(config.fewshot, start=1)
    )
    template = FEWSHOT_TEMPLATE if config.fewshot else SAMPLE_TEMPLATE
    return template.format(
        additional_info=f"{COLOUR_LEGEND}\n" if config.colour_legend else "",
        fewshot_example=examples,
        task=task_to_solve(task, config),
    ).strip()


def task_to_solve(task: Task, config: PromptConfig) -> str:
    """``# Task to solve:`` and the task's public form."""
    return f"# Task to solve:\n{render_task_block(task.public(), config.grid_style)}"


def system_prompt(config: PromptConfig | None = None) -> str:
    """The system message of every prompt in the configured style."""
    if config is not None and config.style == "plain":
        from .prompts_plain import PLAIN_SYSTEM_PROMPT

        return PLAIN_SYSTEM_PROMPT
    return SYSTEM_PROMPT


def sample_messages(task: Task, config: PromptConfig | None = None) -> list[dict[str, str]]:
    """System and user messages for sampling a program for ``task``."""
    return [
        {"role": "system", "content": system_prompt(config)},
        {"role": "user", "content": sample_prompt(task, config)},
    ]


def refine_prompt(
    task: Task, program: str, result: ProgramResult, config: PromptConfig | None = None
) -> str:
    """The user message asking to fix ``program``, given its ``result`` on ``task``."""
    config = config or PromptConfig()
    if config.style == "plain":
        from .prompts_plain import plain_refine_prompt

        return plain_refine_prompt(task, program, result, config)
    # soar/prompt.py, get_repair_prompt with prompt_repair_sol_v1, grid_display_mode="numpy",
    # alt_colors=True, prompt_colors=True, max_example=-1 (as soar/repair/rex.py calls it)
    previous = f"```python\n{normalise_program(program)}\n```\n" + soar_results(
        result, config.grid_style
    )
    return REFINE_TEMPLATE.format(
        additional_info=COLOUR_LEGEND if config.colour_legend else "",
        task=task_to_solve(task, config),
        previous_implementation=previous.strip(),
    ).strip()


def soar_results(result: ProgramResult, style: str = "numpy") -> str:
    """The previous program's results as the released format shows them (the original's
    ``format_repair_one_previous_response`` with the test outputs shown): how many train pairs are
    right, each train pair right or wrong with what a wrong one gave, what each test input gave,
    and the closing line (which the original appends even when every train pair is right)."""
    n = len(result.train_correct)
    text = _WORKED.format(sum(result.train_correct), n) + "Detailed results:\n"
    wrong = []
    for i, (outcome, right) in enumerate(zip(result.train, result.train_correct, strict=True), 1):
        text += _TRAIN.format(i, "correct" if right else "incorrect")
        if not right:
            wrong.append(f"Output {i}")
            text += _gave(outcome, style)
    for i, outcome in enumerate(result.test, 1):
        text += _TEST.format(i) + _gave(outcome, style)
    if not wrong:
        text += _ALL_RIGHT
    return text + _WRONG.format(", ".join(wrong))


def _gave(outcome: InputResult, style: str) -> str:
    if outcome.status is not Status.OK or outcome.output is None:
        return _GAVE.format("", error_text(outcome))
    return _GAVE.format(*prediction_text(outcome.output, style))


def prediction_text(grid: Grid | list[list[int]], style: str = "numpy") -> tuple[str, str]:
    """``(shape, text)`` of a grid a program gave: ``grid shape: R by C`` and the grid as the
    released format shows it (numpy's own printing, which wraps rows past 36 cells and elides
    arrays past 1,000 cells, as the original did; too large a grid is not shown).

    >>> prediction_text([[1, 2]])
    ('grid shape: 1 by 2', '[[1 2]]')
    >>> prediction_text([[0] * 50] * 2)
    ('grid shape: 2 by 50', 'Output is too large to display (2x50).\\n\\n')
    """
    rows, columns = len(grid), len(grid[0])
    shape = f"grid shape: {rows} by {columns}"
    if rows >= TOO_LARGE_SIDE or columns >= TOO_LARGE_SIDE:
        return shape, _TOO_LARGE.format(rows, columns)
    if style != "numpy":
        return shape, RENDERERS[style](grid)
    array = np.array(grid)  # numpy's default print settings, whatever the process set
    text = np.array2string(
        array, max_line_width=75, threshold=1000, edgeitems=3, separator=" ", sign="-"
    )
    return shape, text


def error_text(outcome: InputResult) -> str:
    """Why an input gave no grid, in this project's words (``The execution failed (status):
    message``)."""
    message = f": {outcome.message}" if outcome.message else ""
    return f"The execution failed ({outcome.status.value}){message}"


def refine_messages(
    task: Task, program: str, result: ProgramResult, config: PromptConfig | None = None
) -> list[dict[str, str]]:
    """System and user messages for refining ``program``."""
    return [
        {"role": "system", "content": system_prompt(config)},
        {"role": "user", "content": refine_prompt(task, program, result, config)},
    ]


def answer_message(program: str, config: PromptConfig | None = None) -> dict[str, str]:
    """The assistant message that answers with ``program`` (the training target): in the
    ``soar`` style the normalised program, as the original's training data had it."""
    if config is None or config.style == "soar":
        program = normalise_program(program)
    return {"role": "assistant", "content": f"```python\n{program.strip()}\n```"}


# ---- Reading prompts back ----

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
