"""The evaluation pipeline behind ``reward-kit run``.

Loads a dataset (HuggingFace ``datasets``), builds prompts, generates responses through any
OpenAI-compatible API with the shared ``reward_kit.llm`` client and its response cache, scores
them with one or more rewards while generation continues, and streams result rows into a
resumable run directory with a ``summary.json``. See ``docs/configuration.md`` for the keys.
"""

from reward_kit.pipeline.config import ConfigError, RunConfig, register_configs, validate_config
from reward_kit.pipeline.datasets import DatasetError, LoadedDataset, Sample, load_samples
from reward_kit.pipeline.generation import GenerationAborted
from reward_kit.pipeline.runner import RunResult, arun_pipeline, run_pipeline
from reward_kit.pipeline.summary import pass_at_k, summarize

__all__ = [
    "ConfigError",
    "DatasetError",
    "GenerationAborted",
    "LoadedDataset",
    "RunConfig",
    "RunResult",
    "Sample",
    "arun_pipeline",
    "load_samples",
    "pass_at_k",
    "register_configs",
    "run_pipeline",
    "summarize",
    "validate_config",
]
