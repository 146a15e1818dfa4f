"""A tiny randomly initialised causal LM and character tokenizer, built in code.

For smoke runs of a training loop (tests, examples, CI) on a CPU with no model download: a
one-layer GPT-2 and a character-level tokenizer with a chat template. It learns nothing useful
in a few steps; it exists so that the whole ``GRPOTrainer`` path (generation, rewards,
loss, logging) runs for real in seconds. Needs ``transformers`` and ``tokenizers``
(``pip install 'reward-kit[trl]'``).
"""

from __future__ import annotations

import string
from typing import Any

__all__ = ["CHAT_TEMPLATE", "build_tiny_lm"]

CHAT_TEMPLATE = (
    "{% for message in messages %}{{ message['role'] }}: {{ message['content'] or '' }}\n"
    "{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}"
)
"""``role: content`` lines, ending with ``assistant: `` when a reply is to be generated."""

_SPECIAL_TOKENS = ["<pad>", "<eos>"]


def build_tiny_lm(
    seed: int = 0, *, hidden_size: int = 32, max_length: int = 512
) -> tuple[Any, Any]:
    """A fresh ``(GPT2LMHeadModel, PreTrainedTokenizerFast)`` pair with random weights.

    Args:
        seed: Seed of the weight initialisation, so runs are repeatable.
        hidden_size: Width of the single transformer layer.
        max_length: Longest prompt + completion, in characters.
    """
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate([*_SPECIAL_TOKENS, *string.printable])}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<pad>"))
    backend.pre_tokenizer = pre_tokenizers.Split("", behavior="isolated")
    backend.decoder = decoders.Fuse()
    make_tokenizer: Any = PreTrainedTokenizerFast  # its __init__ has no type hints
    tokenizer = make_tokenizer(
        tokenizer_object=backend, pad_token="<pad>", eos_token="<eos>", model_max_length=max_length
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    config = GPT2Config(
        vocab_size=len(vocab),
        n_positions=max_length,
        n_embd=hidden_size,
        n_layer=1,
        n_head=2,
        bos_token_id=vocab["<eos>"],
        eos_token_id=vocab["<eos>"],
        pad_token_id=vocab["<pad>"],
    )
    torch.manual_seed(seed)
    return GPT2LMHeadModel(config), tokenizer
