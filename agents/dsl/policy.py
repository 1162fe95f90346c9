"""``DSLPolicy``: a policy that writes programs by composing grid primitives; no model, no GPU.

Spec ``dsl:default`` uses the built-in weights, ``dsl:/path/to/weights.json`` weights learned by
:func:`soar.agents.dsl.fitting.fit`. Sample requests get the task's short programs in order of
their chance (:class:`~soar.agents.dsl.enumeration.Enumeration`: one program per behaviour of the
one-step programs, run once on the task's inputs, merged with two-step programs that could
be right; the first 2,000 of them run on the train inputs, and those right on every train
pair come first; with learned weights, the first 2,000 programs of the built-in weights and of
the earlier rounds' weights they were fitted after are screened too and what fits under any comes
first; a task drawn on a colour other than black with nothing that fits is screened again with
that colour and black swapped; cell, object and stamp rules learned from the train pairs that
cover the test inputs (:mod:`~soar.agents.dsl.rules`, :mod:`~soar.agents.dsl.object_rules`)
come next; once 2,000 programs were given for a task and still none fits, its first 12,000
programs are screened, then, if none fits, three-step programs), then, once those are given,
programs of two steps or more drawn from the grammar. Refine requests get edits of the parent
program (or fresh samples when the parent is not a DSL program).

Building a task's enumeration is most of the policy's work (about half a second a task). When
the search says which tasks come next (:meth:`DSLPolicy.prepare`), builder processes build them
ahead (:mod:`~soar.agents.dsl.builders`); the programs given are the same.

The randomness of a request comes from the seed, the task and the number of programs already
given for the task, so the same requests for a task give the same programs whatever else is in the
batch. Programs already given for a task are not given again while fresh ones can be found, nor
(option ``skip``) those that earlier runs of the task tried: a later self-improvement round's
search (``soar improve --frontier``) then goes on where the earlier rounds stopped.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..policy import (
    Completion,
    Conversation,
    Policy,
    RawCompletion,
    RefineRequest,
    Request,
    SampleRequest,
    SamplingConfig,
)
from ..prompts import PromptConfig
from ..runs.rundir import RunDir
from .builders import Builders, BuildSettings, build_enumeration, default_builders
from .enumeration import Enumeration
from .grammar import Grammar
from .mutation import feedback
from .program import Steps, parse_source, to_source

DEFAULT_TARGET = "default"
KEPT_ENUMERATIONS = 256
"""Tasks whose enumeration of short programs a policy keeps (the least recently asked go)."""


class DSLPolicy(Policy):
    """Samples and refines DSL programs from a :class:`~soar.agents.dsl.grammar.Grammar`.

    Args:
        grammar: the grammar (default: the built-in weights).
        target: what the spec named (``default`` or a weights file), for :attr:`policy_id`.
        sampling: only ``seed`` matters (None: 0).
        prompts: unused (no prompts are built); kept for the common interface.
        tries: draws per program while looking for one not yet given for the task.
        remember: the most programs remembered per task for that check (then it starts afresh).
        distinct: run each one-step program once on the task's inputs (in this process) to give
            one program per behaviour (see :class:`~soar.agents.dsl.enumeration.Enumeration`).
        pairs: the most two-step programs a task's enumeration gives before sampling takes over.
        refine_from: the least train accuracy a parent needs to be edited; a refine request for
            a parent below it gets the task's next enumerated programs instead (0: every parent
            is edited).
        screen: how many of a task's first enumerated programs are run here on its train inputs
            so that those right on every train pair are given first (needs ``distinct``; 0:
            none; see :class:`~soar.agents.dsl.enumeration.Enumeration`).
        deep_after: once this many programs were given for a task, and none of those screened
            fit, the programs after them are screened up to ``deep_screen`` (see
            :meth:`~soar.agents.dsl.enumeration.Enumeration.screen_more`), then, if still
            none fits, three-step programs (see
            :meth:`~soar.agents.dsl.enumeration.Enumeration.screen_three`); about a second a
            task, so only for budgets where that is small beside running the programs.
        deep_screen: how many of a task's programs are screened in all past ``deep_after``
            (no more than ``screen``: none further).
        deep_prefixes: how many two-step programs that screening extends (0: no three-step
            screening).
        background: when screening finds nothing that fits a task drawn on a colour other than
            black, screen it again with that colour and black swapped (see
            :mod:`~soar.agents.dsl.background`; needs ``distinct`` and ``screen``).
        default_fits: with a grammar other than the built-in one (weights fitted by ``soar train
            --base dsl``), screen the first ``screen`` programs of each task under the built-in
            grammar and under the grammar's :attr:`~soar.agents.dsl.grammar.Grammar.earlier`
            ones (earlier self-improvement rounds) too, and give those right on every train
            pair that the grammar's own screening missed with its own (needs ``distinct`` and
            ``screen``; each about as long again as that screening). A fitted grammar then adds
            programs that fit to those the grammars before it found instead of trading some
            for others.
        rules: give the task's cell rule (:func:`~soar.agents.dsl.rules.rule_program`: a
            table from each cell's neighbourhood to its new colour, learned from the train
            pairs), object rules (:func:`~soar.agents.dsl.object_rules.object_rule_programs`:
            a table from an object's property to its new colour) and stamp rules
            (:func:`~soar.agents.dsl.object_rules.stamp_rule_programs`: to the patch its box
            becomes), when they cover the test inputs, among the programs that fit; where
            none of those nor any screened program fits, a cell rule after a one-step prefix
            (:func:`~soar.agents.dsl.rules.prefix_rule_program`), first but not as a fit.
        builders: processes that build the enumerations of the tasks a search will ask about
            next (see :meth:`prepare` and :mod:`~soar.agents.dsl.builders`), so that the
            search's own process only hands out programs (None: one per core; 0: every
            enumeration is built here, when first asked for).
        skip: run directories (earlier searches of the same tasks, e.g. an earlier
            self-improvement round's) whose programs for a task are not given again: the
            search goes on past what they tried instead of repeating it. Since they tried
            what the first screening finds, deeper screening starts at once (``deep_after``
            0), and reaches as far again for each run (``deep_screen - screen`` more
            programs and ``deep_prefixes`` more two-step prefixes per run).
    """

    def __init__(
        self,
        grammar: Grammar | None = None,
        target: str = DEFAULT_TARGET,
        sampling: SamplingConfig | None = None,
        prompts: PromptConfig | None = None,
        *,
        tries: int = 16,
        remember: int = 100_000,
        distinct: bool = True,
        pairs: int = 20_000,
        refine_from: float = 0.0,
        screen: int = 2_000,
        deep_after: int = 2_000,
        deep_screen: int = 12_000,
        deep_prefixes: int = 20,
        background: bool = True,
        default_fits: bool = True,
        rules: bool = True,
        builders: int | None = None,
        skip: Sequence[str] = (),
    ) -> None:
        super().__init__(sampling, prompts)
        self.grammar = grammar if grammar is not None else Grammar()
        self.target = target
        if tries < 1 or remember < 1:
            raise ValueError(f"tries and remember: expected >= 1, got {tries} and {remember}")
        self.tries = tries
        self.remember = remember
        if pairs < 0:
            raise ValueError(f"pairs: expected 0 or more two-step programs, got {pairs}")
        if not 0 <= refine_from <= 1:
            raise ValueError(f"refine_from: expected a train accuracy 0..1, got {refine_from}")
        self.refine_from = refine_from
        if screen < 0:
            raise ValueError(f"screen: expected 0 or more programs to screen, got {screen}")
        if min(deep_after, deep_screen, deep_prefixes) < 0:
            raise ValueError(
                "deep_after, deep_screen and deep_prefixes: expected 0 or more, got "
                f"{deep_after}, {deep_screen} and {deep_prefixes}"
            )
        if isinstance(skip, str):
            skip = [skip]
        self._skip = [RunDir.open(path) for path in skip]  # a bad path fails here
        if self._skip:  # the skipped runs went through the shallow part: screen deeper now,
            # and for each of them as far again, so that every later round reaches further
            deep_after = 0
            deep_screen = screen + (deep_screen - screen) * len(self._skip)
            deep_prefixes *= len(self._skip)
        self.deep_after = deep_after
        self.settings = BuildSettings(
            distinct=distinct,
            pairs=pairs,
            screen=screen,
            background=background,
            rules=rules,
            deep_screen=deep_screen,
            deep_prefixes=deep_prefixes,
        )
        """What goes into each task's enumeration, wherever it is built (the keywords of the
        same names)."""
        if builders is not None and builders < 0:
            raise ValueError(f"builders: expected 0 or more processes, got {builders}")
        self.builders = default_builders() if builders is None else builders
        self._builders: Builders | None = None
        self.others: list[Grammar] = []
        """The grammars whose screened fits are given too: the latest earlier round's first,
        the built-in grammar last (none: not screened)."""
        if default_fits and grammar is not None:
            self.others = [*reversed(self.grammar.earlier), Grammar()]
        self._tried: dict[str, frozenset[int]] = {}
        self._seen: dict[str, set[int]] = {}
        self._counts: dict[str, int] = {}
        self._enumerations: dict[str, Enumeration] = {}

    @classmethod
    def from_spec(
        cls,
        target: str,
        *,
        sampling: SamplingConfig | None = None,
        prompts: PromptConfig | None = None,
        **options: Any,
    ) -> DSLPolicy:
        """``dsl:default`` (built-in weights) or ``dsl:WEIGHTS.json`` (learned weights);
        ``options`` are :class:`DSLPolicy` keywords (``tries``, ``remember``)."""
        grammar = None if target == DEFAULT_TARGET else Grammar.load(Path(target).expanduser())
        return cls(grammar, target, sampling, prompts, **options)

    @property
    def policy_id(self) -> str:
        return f"dsl:{self.target}"

    def complete(self, conversations: Sequence[Conversation]) -> list[list[RawCompletion]]:
        """Not supported: this policy answers requests (:meth:`generate`), not chats."""
        raise NotImplementedError("DSLPolicy answers requests through generate(), not chats")

    # ------------------------------------------------------------------------- generation

    def generate(self, requests: Sequence[Request]) -> list[list[Completion]]:
        """Answer each request with ``n`` programs (see the module docstring)."""
        for request in requests:  # check them all before any changes what later calls give
            if not isinstance(request, SampleRequest | RefineRequest):
                raise TypeError(
                    f"expected a SampleRequest or RefineRequest, got {type(request).__name__}"
                )
            if request.n < 1:
                raise ValueError(f"n: expected at least 1 completion per request, got {request.n}")
        policy_id = self.policy_id
        out = []
        for request in requests:
            sources = [to_source(steps, check=False) for steps in self.programs(request)]
            out.append([Completion(s, s, None, 0, 0, "stop", policy_id) for s in sources])
        return out

    def programs(self, request: Request) -> list[Steps]:
        """The ``n`` programs answering one request, as steps."""
        task = request.task
        drawer = self.grammar.drawer(task)
        count = self._counts.get(task.id, 0)
        self._counts[task.id] = count + request.n
        seed = self.sampling.seed if self.sampling.seed is not None else 0
        rng = random.Random(f"{seed}:{task.id}:{count}")
        seen = self._seen.setdefault(task.id, set())
        if len(seen) + request.n > self.remember:
            seen.clear()
        tried = self._tried_for(task.id)

        def fresh(key: int) -> bool:
            return key not in seen and key not in tried

        parent = None
        if isinstance(request, RefineRequest):
            parent = parse_source(request.program)
            if parent is not None and not self.grammar.known(parent):
                parent = None
            correct = request.result.train_correct
            if self.refine_from > 0 and sum(correct) < self.refine_from * max(1, len(correct)):
                parent = None  # too far from right to be worth editing
        if parent is not None:
            hint = feedback(task, request.result)
            seen.add(hash(parent))

            def draw() -> Steps:
                return self.grammar.mutate(parent, drawer, rng, hint)
        else:
            enumeration = self._enumeration(task)
            if count >= self.deep_after:  # each screens once, and only while nothing fits
                enumeration.screen_deep(self.settings.deep_screen, self.settings.deep_prefixes)

            def draw() -> Steps:
                while enumeration is not None:
                    steps = enumeration.next()
                    if steps is None:
                        break
                    if fresh(hash(steps)):
                        return steps
                return self.grammar.sample(drawer, rng, self.grammar.sample_length(rng, 2))

        programs = []
        for _ in range(request.n):
            for _ in range(self.tries):
                steps = draw()
                key = hash(steps)
                if fresh(key):
                    break
            seen.add(key)
            programs.append(steps)
        return programs

    def _tried_for(self, task_id: str) -> frozenset[int]:
        """The programs the ``skip`` runs tried for the task (read once), as step hashes."""
        if not self._skip:
            return frozenset()
        tried = self._tried.get(task_id)
        if tried is None:
            keys = set()
            for run in self._skip:
                for node in run.read_nodes(task_id, train_outputs=False):
                    steps = parse_source(node.program) if node.program else None
                    if steps is not None:
                        keys.add(hash(steps))
            self._tried[task_id] = tried = frozenset(keys)
        return tried

    def prepare(self, tasks: Sequence[Any], budget: int) -> None:
        """Build the enumerations of the tasks the search will ask about next in
        :attr:`builders` processes of their own (see :mod:`~soar.agents.dsl.builders`), in
        order; with ``budget`` programs per task, deeper screening is done there too when the
        search will reach ``deep_after``. Nothing to do without screening or builders."""
        if not (self.settings.distinct and self.settings.screen > 0) or self.builders == 0:
            return
        if self._builders is None:
            self._builders = Builders(self.grammar, self.others, self.settings, self.builders)
        upcoming = [task for task in tasks if task.id not in self._enumerations]
        self._builders.plan(upcoming, deep=budget > self.deep_after)

    def close(self) -> None:
        """Stop the builder processes, if any."""
        if self._builders is not None:
            self._builders.close()
            self._builders = None

    def _enumeration(self, task: Any) -> Enumeration:
        """The task's :class:`~soar.agents.dsl.enumeration.Enumeration` (kept for the
        :data:`KEPT_ENUMERATIONS` tasks asked for last): built ahead by the builders when
        :meth:`prepare` planned it, else here."""
        kept = self._enumerations.pop(task.id, None)
        if kept is None:
            if self._builders is not None:
                kept = self._builders.take(task)
            if kept is None:
                kept = build_enumeration(self.grammar, self.others, task, self.settings)
            if len(self._enumerations) >= KEPT_ENUMERATIONS:
                del self._enumerations[next(iter(self._enumerations))]
        self._enumerations[task.id] = kept
        return kept
