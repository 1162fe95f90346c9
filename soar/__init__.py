"""soar: ARC-AGI program synthesis with self-improving language models (after SOAR, ICML 2025).

The package has four layers, each importing only the ones before it::

    soar.arc_env   tasks and grids, the sandboxed executor, the Gymnasium environments
    soar.agents    policies (LLM back ends, prompts, the DSL), search agents, runs and scoring
    soar.training  filters, hindsight relabeling, datasets, LoRA finetuning, the improvement loop
    soar.evaluate  the ``soar`` command line and reports, a thin shell over the functions above

The names below are the main public API. ``import soar`` imports none of them: each loads its
module on first use, so sandboxed workers importing ``soar.agents.dsl.primitives`` stay light and
no heavy library (numpy, torch) is imported before it is needed.

>>> import soar
>>> soar.load_tasks("arc1/eval:00576224")[0].id
'00576224'
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from soar._lazy import lazy_exports

# In a source checkout, the four layer folders (arc_env/, agents/, ...) sit beside this one, not
# in it: pyproject.toml maps them under `soar` for installs. So that `import soar.arc_env` also
# works where this folder is found first without that mapping (Python started in the checkout's
# root, beside a regular install or none), the checkout's root is searched for subpackages too.
_CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if os.path.isfile(os.path.join(_CHECKOUT, "pyproject.toml")) and os.path.isfile(
    os.path.join(_CHECKOUT, "arc_env", "__init__.py")
):
    __path__.append(_CHECKOUT)

__version__ = "0.1.0"

_EXPORTS = {
    # arc_env: tasks, grids, execution
    "Task": "soar.arc_env.task",
    "Pair": "soar.arc_env.task",
    "load_tasks": "soar.arc_env.loading",
    "to_grid": "soar.arc_env.grid",
    "Executor": "soar.arc_env.executor",
    "ProgramResult": "soar.arc_env.executor",
    "InputResult": "soar.arc_env.executor",
    "Status": "soar.arc_env.executor",
    "InputError": "soar.arc_env.error",
    # agents: policies, search, runs
    "make_policy": "soar.agents.registry",
    "register_policy": "soar.agents.registry",
    "PolicyError": "soar.agents.registry",
    "Policy": "soar.agents.policy",
    "SamplingConfig": "soar.agents.policy",
    "SampleRequest": "soar.agents.policy",
    "RefineRequest": "soar.agents.policy",
    "extract_program": "soar.agents.extraction",
    "sample_messages": "soar.agents.prompts",
    "refine_messages": "soar.agents.prompts",
    "make_agent": "soar.agents.search",
    "register_agent": "soar.agents.search",
    "AgentError": "soar.agents.search",
    "run_search": "soar.agents.search",
    "Node": "soar.agents.search",
    "RunConfig": "soar.agents.runs.config",
    "RunDir": "soar.agents.runs.rundir",
    "run": "soar.agents.runs.run",
    "score_run": "soar.agents.runs.scoring",
    # training: relabeling, data, finetuning, the loop
    "relabel": "soar.training.relabel",
    "FilterConfig": "soar.training.filters",
    "build_dataset": "soar.training.dataset",
    "TrainConfig": "soar.training.sft_config",
    "train": "soar.training.sft",
    "ImproveConfig": "soar.training.loop",
    "improve": "soar.training.loop",
}

__all__ = [
    "AgentError",
    "Executor",
    "FilterConfig",
    "ImproveConfig",
    "InputError",
    "InputResult",
    "Node",
    "Pair",
    "Policy",
    "PolicyError",
    "ProgramResult",
    "RefineRequest",
    "RunConfig",
    "RunDir",
    "SampleRequest",
    "SamplingConfig",
    "Status",
    "Task",
    "TrainConfig",
    "build_dataset",
    "extract_program",
    "improve",
    "load_tasks",
    "make_agent",
    "make_policy",
    "refine_messages",
    "register_agent",
    "register_policy",
    "relabel",
    "run",
    "run_search",
    "sample_messages",
    "score_run",
    "to_grid",
    "train",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from soar.agents.extraction import extract_program
    from soar.agents.policy import Policy, RefineRequest, SampleRequest, SamplingConfig
    from soar.agents.prompts import refine_messages, sample_messages
    from soar.agents.registry import PolicyError, make_policy, register_policy
    from soar.agents.runs.config import RunConfig
    from soar.agents.runs.run import run
    from soar.agents.runs.rundir import RunDir
    from soar.agents.runs.scoring import score_run
    from soar.agents.search import AgentError, Node, make_agent, register_agent, run_search
    from soar.arc_env.error import InputError
    from soar.arc_env.executor import Executor, InputResult, ProgramResult, Status
    from soar.arc_env.grid import to_grid
    from soar.arc_env.loading import load_tasks
    from soar.arc_env.task import Pair, Task
    from soar.training.dataset import build_dataset
    from soar.training.filters import FilterConfig
    from soar.training.loop import ImproveConfig, improve
    from soar.training.relabel import relabel
    from soar.training.sft import train
    from soar.training.sft_config import TrainConfig
