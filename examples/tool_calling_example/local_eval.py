"""Score the tool calls recorded in a dataset with this example's ``main.py:evaluate``.

The script reward-kit's tool-calling page runs, as a Hydra app configured by
``conf/local_eval_config.yaml``; it runs the same pipeline as ``reward-kit run`` (without
generation) and writes ``results.jsonl`` and ``summary.json`` into Hydra's run directory.

    python examples/tool_calling_example/local_eval.py
    python examples/tool_calling_example/local_eval.py dataset_file_path=path/to/calls.jsonl
"""

from __future__ import annotations

from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from reward_kit.pipeline import run_pipeline

HERE = Path(__file__).resolve().parent


@hydra.main(version_base=None, config_path="conf", config_name="local_eval_config")
def main(config: DictConfig) -> None:
    """Score every row of ``dataset_file_path`` and print the mean and where results are."""
    data = Path(config.dataset_file_path).expanduser()
    if not data.is_absolute() and not data.exists():
        data = HERE / data
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    result = run_pipeline(
        {
            "dataset": {"source_type": "jsonl", "path_or_name": str(data)},
            "generation": {"enabled": False},
            "reward": {"function_path": f"{HERE / 'main.py'}:evaluate"},
            "evaluation_params": {"limit_samples": config.limit_samples},
            "output": {"progress": "none"},
        },
        run_dir,
    )
    score = result.summary["score"]
    errors = result.summary["errors"]["scoring"]
    mean = "-" if score["mean"] is None else f"{score['mean']:.4f}"
    print(f"{score['count']}/{result.summary['rows']} rows scored, mean {mean}, errors {errors}")
    print(f"results: {result.results_path}")


if __name__ == "__main__":
    main()
