"""``soar train --base dsl``: fit the DSL policy's grammar weights to relabeled training data.

Each record of the chat JSONL files (from ``soar relabel``) shows a task in its user message and
answers with a program. DSL programs (those with a ``# dsl:`` steps header) become (task context,
steps) examples; the built-in grammar is fitted on all of them at once (see
:func:`soar.agents.dsl.fitting.fit`) and saved as JSON, which ``dsl:PATH`` loads. Records of other
programs are counted and skipped.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soar.agents.extraction import extract_program
from soar.agents.prompts import parse_task_block

WEIGHTS_FILE = "grammar.json"


@dataclass
class DSLTrainResult:
    """What a grammar fit used and where it wrote the weights."""

    out: Path
    examples: int = 0
    skipped: Counter = field(default_factory=Counter)
    primitives: Counter = field(default_factory=Counter)


def _examples(paths: list[str], result: DSLTrainResult) -> list[tuple[Any, Any]]:
    from soar.agents.dsl.fitting import training_example

    examples = []
    for path in paths:
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                messages = json.loads(line)["messages"]
                program, _ = extract_program(messages[-1]["content"])
                try:
                    task = parse_task_block(messages[-2]["content"])
                except ValueError:
                    result.skipped["task not readable"] += 1
                    continue
                example = training_example(task, program) if program else None
                if example is None:
                    result.skipped["not a DSL program"] += 1
                    continue
                examples.append(example)
                result.primitives.update(name for name, _ in example[1])
    return examples


def train_dsl(
    data: list[str], out: str, smoothing: float = 1.0, previous: str | None = None
) -> DSLTrainResult:
    """Fit the built-in grammar on the DSL programs of ``data``; write ``OUT/grammar.json``.

    ``previous``: the weights file of the grammar whose search gave ``data`` (an earlier
    self-improvement round); the new grammar keeps it and its own earlier grammars (see
    :attr:`~soar.agents.dsl.grammar.Grammar.earlier`), so the policy still screens what they
    find first."""
    from soar.agents.dsl.fitting import fit
    from soar.agents.dsl.grammar import Grammar

    if not data:
        raise ValueError("data: expected at least one JSONL training file, got none")
    before = Grammar.load(previous) if previous else None  # a bad path fails before the fit
    target = Path(out)
    result = DSLTrainResult(target / WEIGHTS_FILE)
    examples = _examples(list(data), result)
    result.examples = len(examples)
    if not examples:
        raise ValueError(
            f"{', '.join(data)}: no DSL program to learn from (records skipped: "
            f"{dict(result.skipped) or 'none'})"
        )
    target.mkdir(parents=True, exist_ok=True)
    fitted = fit(Grammar(), examples, smoothing=smoothing)
    (fitted.after(before) if before is not None else fitted).save(result.out)
    return result


def train_dsl_command(
    config_file: str | None, overrides: dict[str, Any], show_progress: bool
) -> list[str]:
    """The ``soar train --base dsl`` trainer (see ``soar.evaluate.cli_train.TRAINERS``)."""
    from soar.agents.settings import read_yaml
    from soar.training.sft_config import TrainError

    settings = {
        **(read_yaml(config_file) if config_file else {}),
        **{k: v for k, v in overrides.items() if v is not None},
    }
    if not settings.get("out"):
        raise TrainError("out: expected a directory for the grammar weights, got nothing")
    try:
        result = train_dsl(
            list(settings.get("data") or []),
            settings["out"],
            float(settings.get("smoothing", 1.0)),
            settings.get("previous"),
        )
    except (ValueError, OSError, KeyError) as err:
        raise TrainError(str(err)) from None
    top = ", ".join(f"{name} {count}" for name, count in result.primitives.most_common(5))
    return [
        f"fitted: {result.out} ({result.examples} DSL programs; skipped {dict(result.skipped) or 'none'})",
        f"most used primitives: {top}",
        f"policy: dsl:{result.out}",
    ]
