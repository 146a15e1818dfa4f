"""The tiny in-code model: a working tokenizer, chat template and causal LM, built offline."""

from __future__ import annotations

import pytest


def test_tokenizer_round_trips_text_and_renders_chats():
    pytest.importorskip("transformers")
    from reward_kit.integrations.tiny_lm import build_tiny_lm

    model, tokenizer = build_tiny_lm(seed=1, max_length=64)
    text = "What is 6*7? <answer>42</answer>\n"
    ids = tokenizer(text)["input_ids"]
    assert len(ids) == len(text)
    assert tokenizer.decode(ids) == text
    chat = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    rendered = tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
    assert rendered == "system: Be brief.\nuser: Hi\nassistant: "
    assert model.config.n_layer == 1 and model.config.n_positions == 64
    assert model.config.vocab_size == len(tokenizer)


def test_same_seed_same_weights_and_generation_runs():
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from reward_kit.integrations.tiny_lm import build_tiny_lm

    (first, tokenizer), (second, _) = build_tiny_lm(seed=3), build_tiny_lm(seed=3)
    for a, b in zip(first.parameters(), second.parameters(), strict=True):
        assert torch.equal(a, b)
    inputs = tokenizer(["abc"], return_tensors="pt")
    output = first.generate(**inputs, max_new_tokens=5, do_sample=False)
    assert output.shape[0] == 1 and 3 < output.shape[1] <= 3 + 5  # it may stop early at <eos>
    assert output[0, :3].tolist() == inputs["input_ids"][0].tolist()
