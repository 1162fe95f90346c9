"""Runs: a search over many tasks, its directory, its configuration, its votes and scores.

A run is what ``soar run`` makes and what ``soar score``, ``soar report``, ``soar relabel`` and the
improvement loop read: :class:`~soar.agents.runs.config.RunConfig` says what to do,
:func:`~soar.agents.runs.run.run` does it, :class:`~soar.agents.runs.rundir.RunDir` holds it,
:mod:`~soar.agents.runs.scoring` votes and scores it, :mod:`~soar.agents.runs.submission` writes
the Kaggle attempts. It lives with the agents, the lowest layer that runs searches, so that the
training loop and the command line above share it.
"""
