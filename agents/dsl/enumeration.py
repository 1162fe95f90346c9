"""Short programs of a task in order of their chance: every one-step program, then two-step ones.

Sampling short programs repeats itself: a few hundred one-step programs take thousands of draws
to see, and most two-step programs drawn are rearrangements with the same outputs. An
:class:`Enumeration` gives each short program once, most likely first: every one-step program (by
its chance under the grammar), then two-step programs best first (the chance of a two-step
program is the chance of its first step times that of its second given the first: with no learned
transitions, the product of their one-step chances, except that the second step's shape tilt and
preferred arguments (size ratios, colours to change) come from comparing the targets with the
first step's outputs rather than with the task's inputs; a heap walks each first step's sorted
list of second steps), skipping pairs that say again what another program says (see
:mod:`~soar.agents.dsl.pruning`).

Given the task, every one-step program is run once on its train and test inputs, in this process
(:mod:`~soar.agents.dsl.running`; a few hundred primitive calls per task, about a tenth of a
second): programs with the same outputs on every input count once (the likeliest stands for
them); a one-step program is given on its own only if it could be right or refined (it gives
every train output its target's shape, or gets a train pair right); and two-step programs start
only with steps that fail on no input, and skip second steps that cannot mend what the first got
wrong: a wrong shape followed by a primitive that keeps shapes, or a missing colour followed by one
that adds none.

The first ``screen`` programs of that order are also run here, each second step on the outputs
its first step already gave (one primitive call per program while it stays right: a program
stops at the first train pair it gets wrong), and those right on every train pair are given
before all others, one per behaviour on the test inputs. The executor still runs and scores every
program given; this only changes their order, so that a small budget reaches the programs that fit
(screening 2,000 programs takes about a tenth of a second for most tasks).

When nothing screened fits, :meth:`Enumeration.screen_more` screens the programs that come
next, further down the same order, and :meth:`Enumeration.screen_three` goes one step further:
the likeliest two-step programs with new behaviours are each followed by every step (pruned as
above), and the three-step programs right on every train pair are given next.
:meth:`Enumeration.prepare_deep` does both ahead of time and keeps what they find until
:meth:`Enumeration.screen_deep` gives it, so that an enumeration can be built in another process
and travel without its grids (see :mod:`~soar.agents.dsl.builders`).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

import numpy as np

from .arguments import SAME, ArgDrawer, TaskInfo, pairs_info
from .features import size_relation
from .ordering import SecondSteps
from .primitives_base import colours_of
from .program import Step, Steps
from .pruning import redundant
from .running import behaviour, closeness, output_key, right, run_step
from .walk import Walk

if TYPE_CHECKING:
    from .grammar import Grammar


class Enumeration:
    """The short programs of one task, most likely first (see the module docstring).

    Args:
        grammar: the grammar whose chances order the programs.
        drawer: the task's argument drawer.
        task: the public task; when given, every one-step program is run once on its train and
            test inputs (here, not in the executor; see :meth:`_screen`), which keeps one program
            per behaviour and leaves out two-step programs that cannot be right.
        max_pairs: the most two-step programs given (then :meth:`next` returns None).
        screen: how many of the first programs are run here on the task's train inputs so that
            those right on every train pair come first (needs ``task``; 0: none).
        one_step_outputs: outputs of one-step programs on the task's train and test inputs
            (step -> outputs, as :func:`~soar.agents.dsl.running.run_step` gives them) known
            from another enumeration of the same task: those are not run again, and those run
            here are added (another grammar orders the same steps differently).
    """

    def __init__(
        self,
        grammar: Grammar,
        drawer: ArgDrawer,
        task: Any = None,
        max_pairs: int = 20_000,
        screen: int = 0,
        one_step_outputs: dict[Step, list[np.ndarray | None]] | None = None,
    ) -> None:
        singles = grammar.single_steps(drawer)
        order = sorted(range(len(singles)), key=lambda i: -singles[i][1])
        self.steps: list[Step] = [singles[i][0][0] for i in order]
        self.chances: list[float] = [singles[i][1] for i in order]
        self.first = list(range(len(self.steps)))
        """Indices (into :attr:`steps`) of the one-step programs given, most likely first."""
        self.prefixes = self.first
        """Indices of the steps two-step programs start with, most likely first."""
        self.misfits: dict[int, tuple[bool, bool]] = {}
        """For prefixes whose outputs cannot be finished by any second step of some kind:
        (some train output has the wrong shape, some train output lacks a colour its target
        has)."""
        self.relations: dict[int, tuple[str, TaskInfo]] = {}
        """For prefixes, how the targets' shapes compare with the prefix's train outputs (see
        :func:`~soar.agents.dsl.features.size_relation`) and what is left to do from there (see
        :func:`~soar.agents.dsl.arguments.pairs_info`): second steps are tilted by these, not
        by the task's."""
        self.same_shape = frozenset(n for n, e in grammar.effects().items() if e == SAME)
        self.adders = grammar.colour_adders()
        self._inputs: list[np.ndarray] = []
        """The task's train and test inputs, then :attr:`_targets` its train outputs and
        :attr:`_colours` the colours (but 0) of each."""
        self._targets: list[np.ndarray] = []
        self._colours: list[set[int]] = []
        self._seen_keys: set[tuple] = set()
        """The behaviours of the identity and of the one-step programs kept."""
        self.outputs: dict[Step, list[np.ndarray]] = {}
        """For each prefix step, its outputs on the task's train and test inputs (kept until
        :meth:`screen_three` ran or can find nothing)."""
        self.fits: list[Steps] = []
        """The screened programs right on every train pair, one per behaviour on the test
        inputs, in order of their chance."""
        if task is not None:
            self._screen(grammar, task, one_step_outputs)
        lengths = grammar.lengths
        self.length_chances = (lengths[0], lengths[1] if len(lengths) > 1 else 0.0)
        self.max_pairs = max_pairs
        self._grammar: Grammar | None = grammar
        self.second: SecondSteps | None = SecondSteps(grammar, drawer, self.steps, self.chances)
        """The order of the steps after each prefix."""
        self._walk = Walk(self)
        self._next: deque[Steps] = deque()
        """Programs given before the walk goes on: the screened ones, and those found to fit
        some other way (:meth:`give_first`)."""
        self.screened = 0
        """How many programs were screened (see :meth:`screen_more`)."""
        self._deep: list[Steps] | None = None
        """What deeper screening found ahead of its time (see :meth:`prepare_deep`)."""
        if task is not None and screen > 0:
            first = list(islice(self._walk, screen))
            self.screened = len(first)
            self.fits = self._fitting(first)
            self._next.extend(self.fits)
            self._next.extend(first)
            if self.fits:  # nothing left to extend: free the grids
                self.outputs = {}

    def _screen(self, grammar: Grammar, task: Any, known: dict[Step, list] | None) -> None:
        """Run each one-step program on the task's inputs once and keep, per behaviour (the
        outputs on every input), its likeliest program: as a one-step program when it could be
        right or refined (it gives every train output its target's shape, or gets a train pair
        right), and as the start of two-step programs when it fails on no input. Programs that
        give every input back unchanged, or fail on a test input, are left out."""
        inputs = [np.asarray(p.input, dtype=np.int64) for p in (*task.train, *task.test)]
        targets = [np.asarray(p.output, dtype=np.int64) for p in task.train]
        self._inputs, self._targets = inputs, targets
        self._colours = [set(colours_of(t)) - {0} for t in targets]
        n_train = len(targets)
        wanted = [(t.shape, t.tobytes()) for t in targets]
        seen = self._seen_keys = {output_key(inputs)}  # the identity
        kept, prefixes = [], []
        for index, step in enumerate(self.steps):
            outputs = None if known is None else known.get(step)
            if outputs is None:
                name, args = step
                outputs = run_step(grammar.functions[name], args, inputs)
                if known is not None:  # shared with another enumeration of the task
                    known[step] = outputs
            key = output_key(outputs)
            if key in seen or None in key[n_train:] or all(k is None for k in key[:n_train]):
                continue
            seen.add(key)
            train = key[:n_train]
            shaped = all(k is not None and k[0] == w[0] for k, w in zip(train, wanted, strict=True))
            if shaped or any(k == w for k, w in zip(train, wanted, strict=True)):
                kept.append(index)
            if None in key:
                continue
            prefixes.append(index)
            self.outputs[self.steps[index]] = outputs
            pairs = list(zip(outputs, targets, strict=False))
            self.relations[index] = (size_relation(pairs), pairs_info(pairs))
            misfit = self._misfit(outputs)
            if misfit != (False, False):
                self.misfits[index] = misfit
        self.first, self.prefixes = kept, prefixes

    def _misfit(self, outputs: Sequence[np.ndarray]) -> tuple[bool, bool]:
        """Whether some train output of ``outputs`` has the wrong shape, and whether some lacks
        a colour its target has."""
        wrong_shape = any(o.shape != t.shape for o, t in zip(outputs, self._targets, strict=False))
        short = any(
            not need <= set(colours_of(o)) for o, need in zip(outputs, self._colours, strict=False)
        )
        return wrong_shape, short

    def _mends(self, misfit: tuple[bool, bool], name: str) -> bool:
        """Whether a step of primitive ``name`` could mend outputs with ``misfit`` (see
        :meth:`_misfit`): a step that keeps the shape cannot mend a wrong one, and one that adds
        no colour cannot bring a missing one."""
        wrong_shape, short = misfit
        return not (wrong_shape and name in self.same_shape) and not (
            short and name not in self.adders
        )

    def _fits(
        self,
        step: Step,
        grids: Sequence[np.ndarray],
        seen: set[tuple],
        wrong: set[tuple] | None = None,
        key: tuple | None = None,
    ) -> bool:
        """Whether ``step`` turns the train ``grids`` into their targets (stopping at the first
        wrong one) and gives the test ``grids`` outputs of a behaviour not in ``seen`` (then
        added to it); ``key``, when given, is added to ``wrong`` when the first train grid goes
        wrong."""
        name, args = step
        fn = self._grammar.functions[name]
        for i, (grid, target) in enumerate(zip(grids, self._targets, strict=False)):
            if not right(fn, args, grid, target):
                if i == 0 and wrong is not None and key is not None:
                    wrong.add(key)
                return False
        behaves = behaviour(fn, args, grids[len(self._targets) :])
        if None in behaves or behaves in seen:
            return False
        seen.add(behaves)
        return True

    def _fitting(self, programs: list[Steps]) -> list[Steps]:
        """The programs among ``programs`` right on every train pair, one per behaviour on the
        test inputs, in their order; a two-step program's second step runs on its first step's
        outputs from :meth:`_screen`, except where a first step with the same first train output
        already showed that the second step gets that pair wrong (about a fifth of them)."""
        fits: list[Steps] = []
        seen: set[tuple] = set()
        groups: dict[Step, int] = {}  # first step -> id of its first train output
        firsts: dict[tuple, int] = {}  # first train output -> id
        wrong: set[tuple] = set()  # (id, second step) wrong on the first train pair
        for steps in programs:
            key: tuple | None = None
            if len(steps) == 2:
                grids = self.outputs.get(steps[0])
                if grids is None:
                    continue
                group = groups.get(steps[0])
                if group is None:
                    first = grids[0]
                    group = firsts.setdefault((first.shape, first.tobytes()), len(firsts))
                    groups[steps[0]] = group
                key = (group, steps[1])
                if key in wrong:
                    continue
            else:
                grids = self._inputs
            if self._fits(steps[-1], grids, seen, wrong, key):
                fits.append(steps)
        return fits

    def screen_more(self, upto: int) -> list[Steps]:
        """Screen the programs that come after the first :attr:`screened` in the walk, until
        ``upto`` were screened in all (see the module docstring), and give those right on every
        train pair next; none when screening already found programs that fit, or without a task.

        Returns:
            The programs found, one per behaviour on the test inputs, most likely first.
        """
        found = self._more(upto)
        if found:
            self.fits = found
            self.outputs = {}  # nothing left to extend: free the grids
        self._next.extendleft(reversed(found))
        return found

    def screen_three(self, prefixes: int = 20, scanned: int = 1_000) -> list[Steps]:
        """Three-step programs right on every train pair, to be given next (see the module
        docstring); none when screening already found programs that fit, or without a task.

        Args:
            prefixes: how many two-step programs (the likeliest whose outputs fail on no input
                and differ from every one-step program's) get a third step.
            scanned: the most two-step programs looked at to find them.

        Returns:
            The programs found, one per behaviour on the test inputs, most likely prefix first.
        """
        found = self._three(prefixes, scanned)
        self._next.extendleft(reversed(found))
        return found

    def prepare_deep(self, upto: int, prefixes: int) -> None:
        """Screen deeper now (:meth:`screen_more` to ``upto``, then, if nothing fits,
        :meth:`screen_three` with ``prefixes``) but give what is found only when
        :meth:`screen_deep` is called; the grids are let go (an enumeration built in another
        process travels light). ``upto=0`` and ``prefixes=0``: nothing will be screened."""
        if self._deep is None:
            self._deep = self._more(upto) or self._three(prefixes)
        self.outputs, self._seen_keys = {}, set()

    def screen_deep(self, upto: int, prefixes: int) -> list[Steps]:
        """Give next what deeper screening finds (see :meth:`prepare_deep`, run now unless it
        ran before), once per enumeration.

        Returns:
            The programs found.
        """
        self.prepare_deep(upto, prefixes)
        found, self._deep = self._deep or [], []
        if found and not self.fits:
            self.fits = found
        self._next.extendleft(reversed(found))
        return found

    def _more(self, upto: int) -> list[Steps]:
        """The programs right on every train pair among the walk's programs
        :attr:`screened`..``upto`` (none when some already fit)."""
        if self.fits or not self.outputs or upto <= self.screened:
            return []
        more = list(islice(Walk(self), self.screened, upto))
        self.screened = upto
        return self._fitting(more)

    def _three(self, prefixes: int, scanned: int = 1_000) -> list[Steps]:
        """The three-step programs right on every train pair (see :meth:`screen_three`); the
        grids are let go."""
        if self.fits or not self.outputs or prefixes < 1:
            return []
        assert self._grammar is not None  # the grids are let go with the grammar
        seen = set(self._seen_keys)
        candidates = []
        for steps in islice(Walk(self), scanned + len(self.first)):
            if len(steps) != 2:
                continue
            first, (name, args) = steps
            outputs = run_step(self._grammar.functions[name], args, self.outputs[first])
            if any(out is None for out in outputs):
                continue
            key = output_key(outputs)
            if key in seen:
                continue
            seen.add(key)
            candidates.append((-closeness(outputs, self._targets), len(candidates), steps, outputs))
        found: list[Steps] = []
        test_seen: set[tuple] = set()
        for _, _, (first, second), outputs in heapq.nsmallest(prefixes, candidates):
            misfit = self._misfit(outputs)
            found.extend(
                (first, second, step)
                for step in self.steps
                if not redundant(second, step)
                and self._mends(misfit, step[0])
                and self._fits(step, outputs, test_seen)
            )
        self.outputs = {}  # no longer needed: free the grids
        return found

    def give_first(self, programs: Sequence[Steps]) -> None:
        """Give ``programs``, found right on every train pair some other way (see
        :func:`~soar.agents.dsl.background.background_fits`), next, as fits: three-step
        screening then has nothing to add."""
        if programs:
            self.fits = [*self.fits, *programs]
            self._next.extendleft(reversed(programs))
            self.outputs = {}  # no longer needed: free the grids

    def give_next(self, programs: Sequence[Steps]) -> None:
        """Give ``programs`` next, as :meth:`give_first` does, but not as fits: they are less
        sure (a :func:`~soar.agents.dsl.rules.prefix_rule_program`), so deeper screening
        still looks for programs of the grammar that fit."""
        self._next.extendleft(reversed(programs))

    def feasible(self, first: int, second: int) -> bool:
        """Whether the two-step program of steps ``first`` (a prefix) and ``second`` could be
        right on every train pair: a second step that keeps the shape cannot mend a wrong one,
        and one that adds no colour cannot bring a missing one."""
        misfit = self.misfits.get(first)
        return misfit is None or self._mends(misfit, self.steps[second][0])

    def next(self) -> Steps | None:
        """The next program, or None once every one-step and ``max_pairs`` two-step programs
        were given."""
        if self._next:
            return self._next.popleft()
        return next(self._walk, None)

    def __getstate__(self) -> dict[str, Any]:
        """What travels to another process: all but the grammar and the second steps' tables
        (the walk's orders are already read from them) and the screening's grids."""
        self._walk.start()
        left_out = {"_grammar": None, "second": None, "outputs": {}, "_seen_keys": set()}
        return {**self.__dict__, **left_out, "_inputs": [], "_targets": [], "_colours": []}
