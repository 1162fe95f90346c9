"""The transformers back end, on a tiny random Qwen2 model built locally (see ``tiny_model``).

The model is random, so its answers are noise: these tests check the plumbing (loading through
``make_policy``, chat templates, batching, token accounting, adapters, seeds, limits), not quality.
"""

from __future__ import annotations

import doctest
import subprocess
import sys

import pytest
import soar.agents.backends.hf as hf_module
from soar.agents import RefineRequest, SampleRequest, SamplingConfig, make_policy, sample_messages
from soar.agents.policy import Conversation, RawCompletion
from soar.agents.registry import PolicyError
from soar.arc_env import Executor

SMALL = ("6150a2bd", "3c9b0459")  # the shortest prompts of arc1/train (about 400 and 550 tokens)
HUGE = "3631a71a"  # a 30x30 task: about 17k tokens, beyond the tiny model's 4096 positions
LIMITS = {"max_new_tokens_sample": 16, "max_new_tokens_refine": 12}
IDENTITY = "def transform(grid):\n    return grid\n"


@pytest.fixture(scope="module")
def policy(tiny_model_dir):
    with make_policy(f"hf:{tiny_model_dir}", sampling=SamplingConfig(seed=0, **LIMITS)) as p:
        yield p


@pytest.fixture(scope="module")
def refine_request(arc1_train):
    task = arc1_train["3c9b0459"]
    with Executor(workers=1) as executor:
        result = executor.run([(task, IDENTITY)])[0]
    assert not result.all_train_correct
    return RefineRequest(task, IDENTITY, result, n=2)


def _greedy(spec: str, **options):
    return make_policy(spec, sampling=SamplingConfig(temperature=0, seed=0, **LIMITS), **options)


def test_generate_sample_and_refine(policy, tiny_model_dir, arc1_train, refine_request):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    sample = SampleRequest(arc1_train[SMALL[1]], n=3)
    answers = policy.generate([sample, refine_request])

    assert [len(a) for a in answers] == [3, 2]
    for request, completions, limit in zip(
        (sample, refine_request), answers, (16, 12), strict=True
    ):
        messages = policy.conversation(request).messages
        expected = tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_dict=True
        )["input_ids"]
        for completion in completions:
            assert completion.text
            assert completion.prompt_tokens == len(expected) > 0
            assert 0 < completion.completion_tokens <= limit
            assert completion.finish_reason in {"stop", "length"}
            assert completion.policy_id == f"hf:{tiny_model_dir}"
            # A random model writes no code block: kept, counted, marked invalid.
            assert completion.program is None
            assert completion.invalid_reason


def test_eos_ends_a_completion_and_padding_is_not_counted(policy, arc1_train):
    """Force EOS as the third token of the first row: that sample stops after 3 tokens while the
    rest of its batch goes on (so the row is padded), and the others run to the limit."""
    calls = []

    def force_eos(module, inputs, logits):
        calls.append(1)
        if len(calls) == 3:
            logits = logits.clone()
            logits[0, -1, policy.eos_token_ids[0]] = 1e4
        return logits

    handle = policy.model.get_output_embeddings().register_forward_hook(force_eos)
    try:
        [completions] = policy.generate([SampleRequest(arc1_train[SMALL[0]], n=3)])
    finally:
        handle.remove()
    stopped = [c for c in completions if c.finish_reason == "stop"]
    assert [c.completion_tokens for c in stopped] == [3]
    assert all(
        c.finish_reason == "length" and c.completion_tokens == 16
        for c in completions
        if c not in stopped
    )


def test_seed_repeats_runs_and_later_calls_draw_new_samples(tiny_model_dir, arc1_train):
    request = SampleRequest(arc1_train[SMALL[0]], n=2)
    runs = []
    for _ in range(2):
        with make_policy(f"hf:{tiny_model_dir}", sampling=SamplingConfig(seed=7, **LIMITS)) as p:
            runs.append([[c.text for c in p.generate([request])[0]] for _ in range(2)])
    assert runs[0] == runs[1]
    first_call, second_call = runs[0]
    assert first_call != second_call


def test_checkpoint_sampling_defaults_are_ignored(tiny_model_dir, arc1_train):
    """A generation_config.json with chat defaults (top_k=1 would make every sample the same)
    changes nothing: SamplingConfig alone shapes sampling, and greedy decoding still works."""
    request = SampleRequest(arc1_train[SMALL[0]], n=3)
    chat_defaults = {"do_sample": True, "temperature": 0.7, "top_k": 1, "repetition_penalty": 1.1}
    with make_policy(f"hf:{tiny_model_dir}", sampling=SamplingConfig(seed=0, **LIMITS)) as p:
        p.model.generation_config.update(**chat_defaults)
        [sampled] = p.generate([request])
    assert len({c.text for c in sampled}) == 3
    with _greedy(f"hf:{tiny_model_dir}") as plain, _greedy(f"hf:{tiny_model_dir}") as tuned:
        tuned.model.generation_config.update(**chat_defaults)
        assert [c.text for c in plain.generate([request])[0]] == [
            c.text for c in tuned.generate([request])[0]
        ]


def test_adapter_changes_greedy_outputs(tiny_model_dir, tiny_adapter_dir, arc1_train):
    request = SampleRequest(arc1_train[SMALL[0]], n=2)
    with _greedy(f"hf:{tiny_model_dir}") as base:
        [base_answers] = base.generate([request])
    with _greedy(f"hf:{tiny_model_dir}+{tiny_adapter_dir}") as adapted:
        [adapted_answers] = adapted.generate([request])
        assert adapted.policy_id == f"hf:{tiny_model_dir}+{tiny_adapter_dir}"
    # Greedy decoding: both samples of a request agree.
    assert base_answers[0].text == base_answers[1].text
    assert adapted_answers[0].text == adapted_answers[1].text
    assert base_answers[0].text != adapted_answers[0].text
    assert all(c.policy_id.endswith(f"+{tiny_adapter_dir}") for c in adapted_answers)


def test_prompt_over_max_prompt_tokens_is_skipped(tiny_model_dir, arc1_train):
    short, long = arc1_train[SMALL[0]], arc1_train["1f642eb9"]  # about 400 and 1800 tokens
    with _greedy(f"hf:{tiny_model_dir}", max_prompt_tokens=1000) as p:
        answered, skipped = p.generate([SampleRequest(short, n=1), SampleRequest(long, n=2)])
        length = len(p.encode_prompt(sample_messages(long)))
    assert answered[0].finish_reason in {"stop", "length"}
    assert len(skipped) == 2
    for completion in skipped:
        assert completion.finish_reason == "skipped"
        assert completion.text == "" and completion.program is None
        assert (completion.prompt_tokens, completion.completion_tokens) == (length, 0)
        assert completion.invalid_reason.startswith("skipped:")
        assert f"{length} tokens" in completion.invalid_reason
        assert "limit of 1000" in completion.invalid_reason


def test_prompt_over_the_context_is_skipped_by_default(policy, arc1_train):
    [completions] = policy.generate([SampleRequest(arc1_train[HUGE], n=1)])
    assert completions[0].finish_reason == "skipped"
    assert "context of 4096 tokens less 16 new tokens" in completions[0].invalid_reason


def test_missing_paths_are_named(tiny_model_dir, tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(PolicyError, match="model not found.*no-such-model"):
        make_policy(f"hf:{missing}")
    with pytest.raises(PolicyError, match="adapter not found.*no-such-adapter"):
        make_policy(f"hf:{tiny_model_dir}+{tmp_path / 'no-such-adapter'}")


def test_tokenizer_without_chat_template_uses_the_fallback(tiny_model_dir, arc1_train):
    with _greedy(f"hf:{tiny_model_dir}") as p:
        p.tokenizer.chat_template = None
        messages = sample_messages(arc1_train[SMALL[0]])
        text = p.render_prompt(messages)
        [completions] = p.generate([SampleRequest(arc1_train[SMALL[0]], n=1)])
    assert text.startswith(f"System:\n{messages[0]['content']}\n\nUser:\n")
    assert text.endswith("\n\nAssistant:\n")
    assert completions[0].finish_reason in {"stop", "length"}


def test_out_of_memory_splits_batches(policy, monkeypatch):
    import torch

    sizes = []

    def fake_generate(batch):
        sizes.append(len(batch))
        if len(batch) > 1 or batch[0].sample == 2:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory")
        return [RawCompletion("x", prompt_tokens=len(batch[0].prompt), completion_tokens=1)]

    monkeypatch.setattr(policy, "_generate", fake_generate)
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]
    [answers] = policy.complete([Conversation(messages, n=4, max_new_tokens=8)])
    assert [a.finish_reason for a in answers] == ["stop", "stop", "error", "stop"]
    assert "out of memory" in answers[2].error_message
    assert sizes[0] == 4


def test_close_frees_the_model(tiny_model_dir):
    p = make_policy(f"hf:{tiny_model_dir}")
    p.close()
    assert p.model is None
    p.close()  # closing twice is harmless
    with pytest.raises(RuntimeError, match="closed"):
        p.complete([])


def test_saved_tokenizer_loads_back_as_trained(tiny_model_dir):
    from transformers import AutoTokenizer

    from .tiny_model import tokenizer_corpus, train_tokenizer

    texts = tokenizer_corpus()
    trained, loaded = train_tokenizer(texts), AutoTokenizer.from_pretrained(tiny_model_dir)
    assert loaded.eos_token == "<|im_end|>" and loaded.pad_token == "<|endoftext|>"
    for text in (texts[1], texts[-1], "<|im_start|>user\nhi<|im_end|>\n"):
        assert loaded(text)["input_ids"] == trained(text)["input_ids"]


def test_split_target_doctests():
    result = doctest.testmod(hf_module)
    assert result.attempted > 0 and result.failed == 0


def test_import_agents_does_not_import_torch():
    code = (
        "import sys, agents, soar.agents.backends.hf\n"
        "heavy = {'torch', 'transformers', 'peft'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
