"""GRPO training with reward-kit rewards: ``math_reward`` + ``format_reward`` on GSM8K-style data.

By default a tiny randomly initialised model and tokenizer are built in code, so this runs
offline on a CPU in about a minute (it trains nothing useful: it shows the wiring). Pass
``--model`` (a Hugging Face model id or a local path) to train a real model.

Run from the repository root: ``python examples/trl_integration/grpo_example.py [--model ID]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

from reward_kit.integrations.trl import combine
from reward_kit.rewards.format import format_reward
from reward_kit.rewards.math import math_reward

DATA = Path(__file__).with_name("gsm8k_mini.jsonl")

SYSTEM_PROMPT = (
    "Reason step by step inside <think>...</think>, then give only the final number inside "
    "<answer>...</answer>."
)


def load_rows(path: Path) -> list[dict[str, Any]]:
    """Conversational GRPO rows: a system + user prompt, and the reference solution."""
    rows = []
    for line in path.read_text().splitlines():
        problem = json.loads(line)
        prompt = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": problem["question"]},
        ]
        # math_reward reads the final answer of a GSM8K solution ("... #### 42")
        rows.append({"prompt": prompt, "ground_truth": problem["answer"]})
    return rows


def load_model(name: str | None) -> tuple[Any, Any]:
    """The model and tokenizer to train: ``name`` from the hub or disk, else a tiny random one."""
    if name is None:
        from reward_kit.integrations.tiny_lm import build_tiny_lm

        return build_tiny_lm(seed=0)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(name)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return AutoModelForCausalLM.from_pretrained(name), tokenizer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="HF model id or local path (default: tiny, in code)")
    parser.add_argument("--steps", type=int, default=4, help="training steps (default 4)")
    parser.add_argument("--num-generations", type=int, default=4)
    parser.add_argument("--max-completion-length", type=int, default=48)
    parser.add_argument("--output-dir", help="where TRL writes (default: a temporary folder)")
    args = parser.parse_args(argv)

    import torch
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    # TRL 1.x still calls transformers' gradient_checkpointing names, deprecated in 5.x
    warnings.filterwarnings("ignore", ".*gradient_checkpointing", FutureWarning)

    # One line turns reward-kit rewards into TRL's reward_funcs and reward_weights. A sample
    # that cannot be evaluated gets None (TRL leaves it out), never a silent 0.
    reward_funcs, reward_weights = combine({math_reward: 1.0, format_reward: 0.2}, timeout=10)

    model, tokenizer = load_model(args.model)
    on_gpu = torch.cuda.is_available()
    config = GRPOConfig(
        output_dir=args.output_dir or tempfile.mkdtemp(prefix="grpo_example_"),
        per_device_train_batch_size=8,
        num_generations=args.num_generations,
        max_completion_length=args.max_completion_length,
        max_steps=args.steps,
        logging_steps=1,
        reward_weights=reward_weights,
        use_cpu=not on_gpu,
        bf16=on_gpu and torch.cuda.is_bf16_supported(),
        report_to="none",
        save_strategy="no",
        disable_tqdm=True,
        seed=0,
    )
    trainer = GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=reward_funcs,
        args=config,
        train_dataset=Dataset.from_list(load_rows(DATA)),
    )
    trainer.train()

    print("\nstep  math_reward  format_reward  total  (means over the step's completions)")
    for entry in trainer.state.log_history:
        if "loss" in entry:
            print(
                f"{entry['step']:>4}  {entry['rewards/math_reward/mean']:>11.3f}"
                f"  {entry['rewards/format_reward/mean']:>13.3f}  {entry['reward']:>5.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
