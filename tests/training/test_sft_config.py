"""``soar train`` settings: TrainConfig's defaults and checks, the command's input errors, and
the modules' light imports (no torch until training runs)."""

from __future__ import annotations

import doctest
import importlib.util
import subprocess
import sys

import pytest
from click.testing import CliRunner
from soar.evaluate.cli import cli
from soar.training import sft_card, sft_config
from soar.training.sft_config import ALL_PROJECTIONS, TrainConfig, TrainError


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--data", "missing.jsonl"], "data file not found: missing.jsonl"),
        (["--data", "x.jsonl", "--max-steps", "0"], "max_steps: expected an integer of at least 1"),
        ([], "data: expected at least one JSONL training file"),
    ],
)
def test_the_train_command_reports_bad_input(tmp_path, arguments, message):
    if importlib.util.find_spec("trl") is None:
        pytest.skip("needs the hf extra: pip install 'soar-arc[hf]'")
    command = ["train", "--base", str(tmp_path), "--out", str(tmp_path / "o"), *arguments]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 2
    assert message in result.output


def test_config_defaults_follow_the_paper_and_values_are_checked(tmp_path):
    config = TrainConfig(base="m", data="d.jsonl", out="o")
    assert config.data == ["d.jsonl"]
    assert (config.lora_r, config.lora_alpha, config.lora_dropout, config.use_rslora) == (
        256,
        32.0,
        0.0,
        True,
    )
    assert config.target_modules == list(ALL_PROJECTIONS)
    assert (config.learning_rate, config.epochs, config.lr_scheduler) == (5e-5, 3.0, "cosine")
    assert (config.warmup_ratio, config.weight_decay, config.effective_batch) == (0.1, 0.05, 32)
    assert config.max_length == 30000  # SOAR's context; longer examples are dropped and counted
    assert config.gradient_accumulation(world_size=2) == 16
    settings = tmp_path / "s.yaml"
    settings.write_text("base: m\ndata: [a.jsonl, b.jsonl]\nlearning_rate: 1e-4\n")
    loaded = TrainConfig.load(settings, out="o", epochs=None)
    assert loaded.data == ["a.jsonl", "b.jsonl"] and loaded.learning_rate == 1e-4
    for bad, message in [
        ({"lora_r": 0}, "lora_r: expected an integer of at least 1, got 0"),
        ({"lora_dropout": 1.0}, r"lora_dropout: expected a number in \[0, 1\)"),
        ({"lr_scheduler": "step"}, "lr_scheduler: expected one of linear, cosine"),
        ({"target_modules": "every"}, "target_modules: expected a list of module names"),
        ({"qlora": "yes"}, "qlora: expected true or false"),
    ]:
        with pytest.raises(ValueError, match=message):
            TrainConfig(base="m", data=["d"], out="o", **bad)
    with pytest.raises(ValueError, match="unknown setting"):
        TrainConfig.load(None, base="m", data=["d"], out="o", lora_rank=8)


def test_doctests():
    for module in (sft_config, sft_card):
        assert doctest.testmod(module).failed == 0


def test_a_missing_library_names_the_hf_extra(monkeypatch):
    import soar.training.sft as sft

    monkeypatch.setattr(sft, "HF_MODULES", ("torch", "no_such_library_soar"))
    with pytest.raises(TrainError, match=r"no_such_library_soar.*soar-arc\[hf\]"):
        sft.require_hf()


def test_importing_the_training_modules_does_not_import_torch():
    code = (
        "import sys, soar.training.sft, soar.training.sft_data, soar.training.sft_card, soar.training.sft_model, soar.evaluate.cli; "
        "print(sorted(m for m in ('torch', 'transformers', 'trl', 'peft', 'datasets') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
