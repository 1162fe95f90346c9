"""LoRA SFT (``soar.training.sft``, ``soar train``) on the tiny random Qwen2 model of the policy tests.

Training data are relabeled-style chat records: the sampling prompt of a real ARC-AGI-1 task and,
as the answer, the example program written for it (``examples/programs``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from soar.agents import SampleRequest, SamplingConfig, make_policy
from soar.agents.backends.hf import FALLBACK_CHAT_TEMPLATE
from soar.agents.prompts import answer_message, sample_messages
from soar.evaluate.cli import cli
from soar.training.sft_config import ALL_PROJECTIONS, TrainConfig, TrainError

pytest.importorskip("trl", reason="needs the hf extra: pip install 'soar-arc[hf]'")

PROGRAMS = Path(__file__).resolve().parents[2] / "examples" / "programs"
SHORT_PROGRAM = "def transform(grid):\n    return grid"
SMALLEST_TASK = "6150a2bd"  # the shortest sampling prompt of arc1/train (about 400 tokens)


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """The tiny model trains as fast on one thread, and never stalls when other processes keep
    the CPUs busy (several threads then spin-wait on each other: 30 times slower)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


@pytest.fixture(scope="module")
def records(arc1_train):
    """One record per example program, alternately marked as sample and refine data."""
    return [
        {
            "messages": sample_messages(arc1_train[path.stem]) + [answer_message(path.read_text())],
            "task_id": path.stem,
            "source": ("sample", "refine")[i % 2],
        }
        for i, path in enumerate(sorted(PROGRAMS.glob("*.py")))
    ]


@pytest.fixture(scope="module")
def data_file(records, tmp_path_factory):
    return write_jsonl(tmp_path_factory.mktemp("data") / "train.jsonl", records)


@pytest.fixture(scope="module")
def lengths(records, tiny_model_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    return [len(tokenizer.apply_chat_template(r["messages"])["input_ids"]) for r in records]


def small_config(base, data, out, **changes) -> TrainConfig:
    """Paper settings scaled down to the tiny model and a few steps."""
    settings = dict(
        base=str(base),
        data=[str(d) for d in data],
        out=str(out),
        lora_r=8,
        lora_alpha=16,
        learning_rate=3e-3,
        effective_batch=2,
        max_steps=6,
        logging_steps=1,
        max_length=2048,
    )
    settings.update(changes)
    return TrainConfig(**settings)


@pytest.fixture(scope="module")
def trained(tiny_model_dir, data_file, lengths, tmp_path_factory):
    """A merged run whose length limit drops the longest example(s)."""
    from soar.training.sft import train

    out = tmp_path_factory.mktemp("trained")
    config = small_config(tiny_model_dir, [data_file], out, max_length=max(lengths) - 1, merge=True)
    return config, train(config, show_progress=False)


def test_training_lowers_the_loss_and_moves_only_the_lora_weights(
    tiny_model_dir, data_file, tmp_path
):
    import torch
    from soar.training.sft import build_trainer

    trainer, stats = build_trainer(small_config(tiny_model_dir, [data_file], tmp_path))
    assert stats.used == 10 and stats.dropped == 0
    before = {name: p.detach().clone() for name, p in trainer.model.named_parameters()}
    loss_before = trainer.evaluate(trainer.train_dataset)["eval_loss"]
    trainer.train()
    loss_after = trainer.evaluate(trainer.train_dataset)["eval_loss"]

    assert loss_after < loss_before - 0.01
    assert trainer.state.global_step == 6
    lora = [name for name in before if "lora_" in name]
    assert len(lora) == 2 * 2 * len(ALL_PROJECTIONS)  # A and B, 2 layers, every projection
    for name, parameter in trainer.model.named_parameters():
        if name in lora:
            assert parameter.requires_grad
            assert not torch.equal(parameter, before[name]), name
        else:
            assert not parameter.requires_grad
            assert torch.equal(parameter, before[name]), name


def test_loss_masking_labels_only_the_answer_and_its_end_of_turn(
    tiny_model_dir, data_file, tmp_path
):
    from soar.agents.backends.hf import TransformersPolicy
    from soar.training.sft import build_trainer
    from transformers import AutoModelForCausalLM, AutoTokenizer

    trainer, _ = build_trainer(small_config(tiny_model_dir, [data_file], tmp_path))
    rows = [trainer.train_dataset[i] for i in range(3)]
    batch = trainer.data_collator(rows)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    policy = TransformersPolicy(AutoModelForCausalLM.from_pretrained(tiny_model_dir), tokenizer)

    assert len({int(m.sum()) for m in batch["attention_mask"]}) > 1  # the batch is padded
    for row, ids, labels, mask in zip(
        rows, batch["input_ids"], batch["labels"], batch["attention_mask"], strict=True
    ):
        prompt = policy.encode_prompt(row["prompt"])  # what the policy feeds the model
        n, length = len(prompt), int(mask.sum())
        assert ids[:n].tolist() == prompt
        assert (labels[:n] == -100).all()
        assert labels[n:length].tolist() == ids[n:length].tolist()
        assert (labels[length:] == -100).all()
        answer = tokenizer.decode(labels[n:length])
        assert answer == row["completion"][0]["content"] + "<|im_end|>\n"


def test_the_saved_adapter_loads_through_the_hf_policy(trained, tiny_model_dir, arc1_train):
    _, result = trained
    adapter_config = json.loads((result.adapter / "adapter_config.json").read_text())
    assert adapter_config["r"] == 8 and adapter_config["lora_alpha"] == 16
    assert adapter_config["use_rslora"] is True
    assert set(adapter_config["target_modules"]) == set(ALL_PROJECTIONS)

    spec = f"hf:{tiny_model_dir}+{result.adapter}"
    sampling = SamplingConfig(temperature=0, seed=0, max_new_tokens_sample=8)
    with make_policy(spec, sampling=sampling) as policy:
        assert policy.policy_id == spec
        [completions] = policy.generate([SampleRequest(arc1_train[SMALLEST_TASK], n=2)])
    assert len(completions) == 2 and all(c.completion_tokens > 0 for c in completions)


def test_examples_longer_than_max_length_are_dropped_and_counted(trained, lengths):
    config, result = trained
    too_long = sum(length > config.max_length for length in lengths)
    assert too_long >= 1
    assert result.dropped == too_long and result.examples == len(lengths) - too_long
    [stats] = result.data.files
    assert (stats.records, stats.used, stats.dropped) == (10, 10 - too_long, too_long)
    assert sum(result.data.sources.values()) == result.examples
    assert max(result.data.tokens) <= config.max_length


def test_no_example_within_max_length_is_an_error(tiny_model_dir, data_file, lengths, tmp_path):
    from soar.training.sft import build_trainer

    config = small_config(tiny_model_dir, [data_file], tmp_path, max_length=min(lengths) - 1)
    with pytest.raises(TrainError, match="no training example fits in max_length"):
        build_trainer(config)


def test_merged_weights_load_without_peft_and_match_base_plus_adapter(trained, tiny_model_dir):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    _, result = trained
    assert result.merged == result.out
    assert not (result.out / "adapter_config.json").exists()
    merged = AutoModelForCausalLM.from_pretrained(result.out).eval()
    assert not hasattr(merged, "peft_config")
    tokenizer = AutoTokenizer.from_pretrained(result.out)
    assert tokenizer.chat_template  # the base's template travels with the merged weights
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir).eval()
    ids = torch.tensor([tokenizer("def transform(grid):\n    return grid")["input_ids"]])
    with torch.no_grad():
        base_logits = base(ids).logits
        with_adapter = PeftModel.from_pretrained(base, str(result.adapter)).eval()
        adapter_logits = with_adapter(ids).logits
        merged_logits = merged(ids).logits
    assert torch.allclose(merged_logits, adapter_logits, atol=1e-4)
    assert not torch.allclose(merged_logits, base_logits, atol=1e-4)


def test_the_model_card_names_the_base_data_and_hyperparameters(trained, data_file):
    config, result = trained
    card = (result.out / "README.md").read_text()
    assert card.startswith("---\n") and f"base_model: {config.base}\n" in card
    for text in (
        str(data_file),
        "r 8, alpha 16, dropout 0, rsLoRA (scale 5.65685)",
        "q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj",
        "0.003, cosine schedule, warmup 0.1",
        "| weight decay | 0.05 |",
        "2 sequences per step = 1 per device x 2 accumulated x 1 device(s)",
        f"dropped for length: {result.dropped}",
        f"vllm:{result.out}",
        "steps: 6",
    ):
        assert text in card, text
    assert (result.adapter / "README.md").read_text() == card


def test_overfit_one_example_then_the_policy_writes_its_program(
    tiny_model_dir, arc1_train, tmp_path
):
    from soar.training.sft import train

    task = arc1_train[SMALLEST_TASK]
    data = write_jsonl(
        tmp_path / "one.jsonl",
        [{"messages": sample_messages(task) + [answer_message(SHORT_PROGRAM)]}],
    )
    out = tmp_path / "adapter"
    config = small_config(
        tiny_model_dir,
        [data],
        out,
        lora_r=16,
        learning_rate=5e-3,
        lr_scheduler="constant",
        warmup_ratio=0.0,
        weight_decay=0.0,
        effective_batch=1,
        max_steps=80,
        logging_steps=10,
        gradient_checkpointing=False,
    )
    result = train(config, show_progress=False)
    assert result.adapter == out and result.merged is None
    assert (out / "adapter_model.safetensors").exists() and (out / "README.md").exists()
    assert "library_name: peft" in (out / "README.md").read_text()

    sampling = SamplingConfig(temperature=0, seed=0, max_new_tokens_sample=40)
    with make_policy(f"hf:{tiny_model_dir}+{out}", sampling=sampling) as policy:
        [[completion]] = policy.generate([SampleRequest(task, n=1)])
    assert completion.program == SHORT_PROGRAM
    assert completion.finish_reason == "stop"


def test_training_chat_template_matches_the_policy_prompt_without_a_template(tiny_model_dir):
    from soar.training.sft_data import training_chat_template
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    assert training_chat_template(tokenizer) is None  # it has its own
    tokenizer.chat_template = None
    template = training_chat_template(tokenizer)
    messages = [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]
    answer = answer_message(SHORT_PROGRAM)

    def render(conversation, **options):
        return tokenizer.apply_chat_template(
            conversation, chat_template=template, tokenize=False, **options
        )

    prompt = render(messages, add_generation_prompt=True)
    policy_prompt = tokenizer.apply_chat_template(
        messages, chat_template=FALLBACK_CHAT_TEMPLATE, tokenize=False, add_generation_prompt=True
    )
    assert prompt == policy_prompt
    assert render([*messages, answer]) == prompt + answer["content"] + tokenizer.eos_token


def test_the_train_command(tiny_model_dir, data_file, records, tmp_path):
    extra = write_jsonl(tmp_path / "extra.jsonl", records[:1])
    settings = tmp_path / "train.yaml"
    settings.write_text("lora_r: 4\nlora_alpha: 8\neffective_batch: 1\nlearning_rate: 5e-5\n")
    out = tmp_path / "out"
    command = ["train", "--base", str(tiny_model_dir), "--data", str(data_file), str(extra)]
    command += ["--out", str(out), "--max-steps", "2", "--lr", "1e-3", "--max-length", "4096"]
    result = CliRunner().invoke(cli, [*command, "--config", str(settings), "--quiet"])

    assert result.exit_code == 0, result.output
    assert f"trained: {out} (adapter)" in result.output
    assert "examples: 11 used, 0 dropped" in result.output
    assert f"policy: hf:{tiny_model_dir}+{out}" in result.output
    card = (out / "README.md").read_text()
    assert "r 4, alpha 8" in card and "| learning rate | 0.001," in card
    assert str(extra) in card and "steps: 2" in card


def test_qlora_without_cuda_and_bitsandbytes_is_a_clear_error(tiny_model_dir, data_file, tmp_path):
    import importlib.util

    import torch
    from soar.training.sft import build_trainer

    if torch.cuda.is_available() and importlib.util.find_spec("bitsandbytes"):
        pytest.skip("QLoRA is available here")
    config = small_config(tiny_model_dir, [data_file], tmp_path, qlora=True)
    with pytest.raises(TrainError, match="needs an NVIDIA GPU and bitsandbytes"):
        build_trainer(config)
