"""GRPO training for tool calling: reward-kit's tool-call rewards in TRL's conversational format.

Each row of ``tool_calls.jsonl`` has a request, the ``tools`` (OpenAI function definitions) the
model may call, and the expected call as ``ground_truth``. The tools are shown to the model in
the system prompt; the model answers ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>``
(or with structured ``tool_calls`` when the chat template parses them). Rewards:
``exact_tool_match_reward`` (right function, same argument values) and
``schema_jaccard_reward`` (partial credit for the arguments' shape), combined with weights.

By default a tiny randomly initialised model and tokenizer are built in code, so this runs
offline on a CPU in about a minute (it shows the wiring; it learns nothing useful). Pass
``--model`` (a Hugging Face model id or a local path) to train a real model.

Run from the repository root:
``python examples/tool_calling_example/trl_grpo_integration.py [--model ID]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

from reward_kit.integrations.trl import combine
from reward_kit.rewards.function_calling import exact_tool_match_reward, schema_jaccard_reward

DATA = Path(__file__).with_name("tool_calls.jsonl")

SYSTEM_PROMPT = (
    "You can call these functions:\n<tools>\n{tools}\n</tools>\n"
    'To call one, answer only with <tool_call>{{"name": ..., "arguments": {{...}}}}</tool_call>.'
)


def load_rows(path: Path) -> list[dict[str, Any]]:
    """Conversational rows: system prompt listing the row's tools, the request, the tools and
    the expected call (the last two as JSON values, read by the rewards)."""
    rows = []
    for line in path.read_text().splitlines():
        row = json.loads(line)
        system = SYSTEM_PROMPT.format(tools=json.dumps(row["tools"]))
        prompt = [
            {"role": "system", "content": system},
            {"role": "user", "content": row["question"]},
        ]
        rows.append({"prompt": prompt, "tools": row["tools"], "ground_truth": row["ground_truth"]})
    return rows


def to_dataset(rows: list[dict[str, Any]]) -> Any:
    """A ``datasets.Dataset`` keeping ``tools`` and ``ground_truth`` as JSON values.

    Without ``Json()``, Arrow merges the keys of all rows' schemas and argument dicts, so each
    row's tool definitions and expected arguments would gain other rows' keys set to None.
    """
    from datasets import Dataset, Features, Json, List, Value

    features = Features(
        {
            "prompt": List({"role": Value("string"), "content": Value("string")}),
            "tools": List(Json()),
            "ground_truth": Json(),
        }
    )
    return Dataset.from_list(rows, features=features)


def load_model(name: str | None) -> tuple[Any, Any]:
    """The model and tokenizer to train: ``name`` from the hub or disk, else a tiny random one."""
    if name is None:
        from reward_kit.integrations.tiny_lm import build_tiny_lm

        return build_tiny_lm(seed=0, max_length=2048)  # the tools make long prompts
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
    parser.add_argument("--max-completion-length", type=int, default=64)
    parser.add_argument("--output-dir", help="where TRL writes (default: a temporary folder)")
    args = parser.parse_args(argv)

    import torch
    from trl import GRPOConfig, GRPOTrainer

    # TRL 1.x still calls transformers' gradient_checkpointing names, deprecated in 5.x
    warnings.filterwarnings("ignore", ".*gradient_checkpointing", FutureWarning)

    reward_funcs, reward_weights = combine(
        {exact_tool_match_reward: 1.0, schema_jaccard_reward: 0.5}, timeout=10
    )
    rows = load_rows(DATA)

    # What the trainer will do, on one hand-written completion: the right call scores 1.0.
    call = rows[0]["ground_truth"]["tool_calls"][0]["function"]
    right = [{"role": "assistant", "content": f"<tool_call>{json.dumps(call)}</tool_call>"}]
    scores = reward_funcs[0](
        prompts=[rows[0]["prompt"]],
        completions=[right],
        tools=[rows[0]["tools"]],
        ground_truth=[rows[0]["ground_truth"]],
    )
    print(f"exact_tool_match_reward for the expected call: {scores}")

    model, tokenizer = load_model(args.model)
    on_gpu = torch.cuda.is_available()
    config = GRPOConfig(
        output_dir=args.output_dir or tempfile.mkdtemp(prefix="tool_grpo_"),
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
        train_dataset=to_dataset(rows),
    )
    trainer.train()

    print("\nstep  exact_tool_match  schema_jaccard  total  (means over the step's completions)")
    for entry in trainer.state.log_history:
        if "loss" in entry:
            print(
                f"{entry['step']:>4}  {entry['rewards/exact_tool_match_reward/mean']:>16.3f}"
                f"  {entry['rewards/schema_jaccard_reward/mean']:>14.3f}  {entry['reward']:>5.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
