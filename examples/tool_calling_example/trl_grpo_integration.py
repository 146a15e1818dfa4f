"""GRPO training for tool calling: reward-kit's tool-call rewards in TRL's conversational format.

Each row of ``tool_calls.jsonl`` has a request, the ``tools`` (OpenAI function definitions) the
model may call, and the expected call as ``ground_truth``. The tools are shown to the model in
the system prompt; the model answers ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>``
(or with structured ``tool_calls`` when the chat template parses them). Rewards:
``exact_tool_match_reward`` (right function, same argument values) and
``schema_jaccard_reward`` (partial credit for the arguments' shape), combined with weights.

A Hydra app configured by ``conf/trl_grpo_config.yaml``. By default (``model_name: null``) a
tiny randomly initialised model and tokenizer are built in code, so this runs offline on a CPU
in under a minute (it shows the wiring; it learns nothing useful); ``model_name=ID`` trains a
real model. Run from the repository root::

    python examples/tool_calling_example/trl_grpo_integration.py
    python examples/tool_calling_example/trl_grpo_integration.py \
        dataset_file_path=my_tool_train.jsonl grpo.num_train_epochs=1
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from reward_kit.integrations.trl import combine
from reward_kit.rewards.function_calling import exact_tool_match_reward, schema_jaccard_reward

HERE = Path(__file__).resolve().parent

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


def dataset_path(name: str) -> Path:
    """``name`` from the working directory, else from this example's folder."""
    path = Path(name).expanduser()
    if not path.is_absolute() and not path.exists():
        path = HERE / path
    return path


@hydra.main(version_base=None, config_path="conf", config_name="trl_grpo_config")
def main(config: DictConfig) -> None:
    """Score a hand-written right call through the adapter, then train with GRPO."""
    import torch
    from trl import GRPOConfig, GRPOTrainer

    # TRL 1.x still calls transformers' gradient_checkpointing names, deprecated in 5.x
    warnings.filterwarnings("ignore", ".*gradient_checkpointing", FutureWarning)

    weights = config.reward_weights
    reward_funcs, reward_weights = combine(
        {
            exact_tool_match_reward: weights.exact_tool_match_reward,
            schema_jaccard_reward: weights.schema_jaccard_reward,
        },
        timeout=config.reward_timeout,
    )
    rows = load_rows(dataset_path(config.dataset_file_path))

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

    model, tokenizer = load_model(config.model_name)
    on_gpu = torch.cuda.is_available()
    grpo = GRPOConfig(
        **OmegaConf.to_container(config.grpo),  # type: ignore[arg-type]
        output_dir=HydraConfig.get().runtime.output_dir,
        reward_weights=reward_weights,
        use_cpu=not on_gpu,
        bf16=on_gpu and torch.cuda.is_bf16_supported(),
        report_to="none",
        save_strategy="no",
        disable_tqdm=True,
    )
    trainer = GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=reward_funcs,
        args=grpo,
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


if __name__ == "__main__":
    main()
