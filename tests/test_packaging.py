"""The package as users install it: one ``soar`` namespace, layers that import only downward, and
no clash with other packages named ``evaluate``, ``agents`` or ``training``.

The README's Python examples are run here too, with packages of those names first on the path (as
Hugging Face ``evaluate`` and ``openai-agents`` install them).
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"arc_env": 0, "agents": 1, "training": 2, "evaluate": 3}
"""The four layers, lowest first: a module may import its own layer and the ones below."""


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imported(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import statement in ``path``, those inside
    functions and ``if TYPE_CHECKING:`` blocks included; relative imports resolved as installed
    (``arc_env/grid.py`` is ``soar.arc_env.grid``)."""
    package = ["soar", *path.relative_to(ROOT).parent.parts]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                found.append(
                    (node.lineno, ".".join([*base, *([node.module] if node.module else [])]))
                )
            else:
                found.append((node.lineno, str(node.module)))
    return found


@pytest.mark.parametrize("layer", list(LAYERS))
def test_layers_import_only_downward(layer: str) -> None:
    wrong = []
    for path in _modules(layer):
        for line, name in _imported(path):
            parts = name.split(".")
            where = f"{path.relative_to(ROOT)}:{line} imports {name}"
            if parts[0] in LAYERS:
                wrong.append(f"{where} (expected soar.{name})")
            elif parts[0] == "soar" and len(parts) > 1 and LAYERS.get(parts[1], -1) > LAYERS[layer]:
                wrong.append(f"{where} (a higher layer than {layer})")
    assert not wrong, "\n".join(wrong)


def test_the_layer_check_sees_relative_and_type_checking_imports(tmp_path: Path) -> None:
    """The check itself: a relative import and one under TYPE_CHECKING are both read."""
    module = ROOT / "agents" / "search" / "driver.py"
    names = {name for _, name in _imported(module)}
    assert "soar.agents.search.node" in names  # from .node import Node
    assert "soar.agents.runs.rundir" in names  # under TYPE_CHECKING


def test_every_package_folder_is_installed_under_soar() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapping, packages = config["package-dir"], set(config["packages"])
    assert mapping == {"soar": "soar", **{f"soar.{f}": f for f in LAYERS}}
    folders = {"soar"} | {
        "soar." + ".".join(p.parent.relative_to(ROOT).parts)
        for layer in LAYERS
        for p in (ROOT / layer).rglob("__init__.py")
    }
    assert folders == packages
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"soar": "soar.evaluate.cli:main"}


# --- other packages named evaluate, agents, training, arc_env first on the path ---------------

_SHADOWS = {
    # What Hugging Face `evaluate` and `openai-agents` look like to an import of the bare name:
    # any use of them by soar fails loudly.
    "evaluate": "Hugging Face evaluate",
    "agents": "openai-agents",
    "training": "some package named training",
    "arc_env": "some package named arc_env",
}


@pytest.fixture(scope="module")
def shadowed_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    shadow = tmp_path_factory.mktemp("shadow")
    for name, what in _SHADOWS.items():
        (shadow / name).mkdir()
        (shadow / name / "__init__.py").write_text(
            f"raise ImportError('soar imported {name!r} from {what} instead of its own')\n"
        )
    (shadow / "evaluate" / "config.py").write_text("class EvaluationModuleInfo: ...\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(shadow), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)


def _readme_block(first_line: str) -> str:
    blocks = [b for b in _python_blocks() if b.startswith(first_line)]
    assert len(blocks) == 1, f"expected one README python block starting {first_line!r}"
    return blocks[0]


def _task_files(where: Path) -> None:
    """The files the README's task examples name, made from the bundled data."""
    from soar.arc_env import load_tasks

    def as_json(task) -> dict:
        return {
            kind: [
                {"input": [list(r) for r in p.input], "output": [list(r) for r in p.output]}
                for p in pairs
            ]
            for kind, pairs in (("train", task.train), ("test", task.test))
        }

    tasks = load_tasks("arc1/train:007bbfb7,3c9b0459")
    folder = where / "path" / "to" / "dir"
    folder.mkdir(parents=True)
    for task in tasks:
        (folder / f"{task.id}.json").write_text(json.dumps(as_json(task)))
    (where / "path" / "to" / "007bbfb7.json").write_text(json.dumps(as_json(tasks[0])))
    challenges = {
        t.id: {**as_json(t), "test": [{"input": json.loads(json.dumps(p.input))} for p in t.test]}
        for t in tasks
    }
    (where / "arc-agi_evaluation_challenges.json").write_text(json.dumps(challenges))


@pytest.mark.slow
@pytest.mark.parametrize(
    "first_line",
    [
        "from soar.arc_env import load_tasks",
        "from soar.arc_env import Executor, load_tasks",
        "import gymnasium",
        "import tempfile",
    ],
)
def test_readme_python_examples_run_beside_packages_of_the_same_names(
    first_line: str, shadowed_env: dict[str, str], tmp_path: Path
) -> None:
    _task_files(tmp_path)
    code = _readme_block(first_line)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=shadowed_env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_the_shadow_packages_would_be_caught(shadowed_env: dict[str, str], tmp_path: Path) -> None:
    """The check itself: with the shadows first on the path, a bare import fails."""
    done = subprocess.run(
        [sys.executable, "-c", "import agents"],
        cwd=tmp_path,
        env=shadowed_env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "openai-agents" in done.stderr


@pytest.mark.slow
def test_the_cli_runs_beside_packages_of_the_same_names(
    shadowed_env: dict[str, str], tmp_path: Path
) -> None:
    soar = Path(sys.executable).with_name("soar")
    run = [str(soar), "run", "--tasks", "arc1/train:3c9b0459", "--budget", "8", "--quiet"]
    done = subprocess.run(
        [*run, "--out", "r", "--workers", "1"],
        cwd=tmp_path,
        env=shadowed_env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "score 1.0000" in done.stdout
    for command in (["report", "r"], ["relabel", "r", "--out", "d.jsonl"], ["--help"]):
        done = subprocess.run(
            [str(soar), *command], cwd=tmp_path, env=shadowed_env, capture_output=True, text=True
        )
        assert done.returncode == 0, (command, done.stderr)
    done = subprocess.run(
        [sys.executable, "-m", "soar", "tasks", "list", "arc1/train:3c9b0459"],
        cwd=tmp_path,
        env=shadowed_env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "3c9b0459" in done.stdout, done.stderr


_WITHOUT_EDITABLE_FINDER = "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "


def test_the_checkout_root_imports_without_the_install_mapping() -> None:
    """Python started in the checkout's root finds its soar/ folder first; the layers beside it
    are found from there even without the editable install's mapping."""
    code = (
        _WITHOUT_EDITABLE_FINDER
        + "import soar.arc_env.grid as g, soar.agents.search; print(g.__file__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == ROOT / "arc_env" / "grid.py"


@pytest.mark.slow
def test_a_regular_install_imports_from_anywhere_and_from_the_checkout_root(tmp_path: Path) -> None:
    """A wheel-style install (no editable mapping): soar and its layers come from the install,
    also when Python starts in the checkout's root."""
    source, target = tmp_path / "src", tmp_path / "site"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("soar", *LAYERS):  # building writes build/ and *.egg-info beside the source
        shutil.copytree(
            ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    build = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(source)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if build.returncode != 0:
        pytest.skip(f"cannot build the package here: {build.stderr[-300:]}")
    assert (target / "soar" / "arc_env" / "executor" / "_worker.py").is_file()
    assert (target / "soar" / "agents" / "runs" / "__init__.py").is_file()
    assert not (target / "arc_env").exists() and not (target / "evaluate").exists()
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = _WITHOUT_EDITABLE_FINDER + (
        "import soar, soar.agents.dsl.primitives, soar.evaluate.cli as c; print(c.__file__); "
        "print(soar.load_tasks('arc1/train:3c9b0459')[0].id)"
    )
    for where, expected in ((tmp_path, target / "soar"), (ROOT, ROOT / "evaluate")):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=where, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        module_file, task_id = done.stdout.split()
        assert Path(module_file).is_relative_to(expected) and task_id == "3c9b0459"
