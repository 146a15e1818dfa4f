"""The structured configuration of ``reward-kit run``: every key, its type and its default.

The dataclasses are registered in Hydra's ConfigStore (``reward_kit_run_schema`` for a whole run,
``dataset/base_dataset_schema`` for a dataset), and every composed config is also merged into
them before a run starts, so a misspelt or unknown key is an error naming the key even in a
config that does not list the schema in its defaults. Key names follow reward-kit's, so its
users' configs run unchanged. ``docs/configuration.md`` documents each key (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from reward_kit._credentials import API_KEY_ENV, DEFAULT_INFERENCE_URL
from reward_kit.errors import ConfigError

__all__ = [
    "ApiParamsConfig",
    "BadRowPolicy",
    "ConfigError",
    "DatasetConfig",
    "EvaluationParamsConfig",
    "GenerationCacheConfig",
    "GenerationConfig",
    "OutputConfig",
    "RewardConfig",
    "RewardSpec",
    "RunConfig",
    "ScoringConfig",
    "SourceType",
    "register_configs",
    "validate_config",
]


class SourceType(str, Enum):
    """Where a dataset's rows come from."""

    huggingface = "huggingface"
    jsonl = "jsonl"
    json = "json"
    csv = "csv"
    parquet = "parquet"


class BadRowPolicy(str, Enum):
    """What to do with a dataset row that lacks a column or has one of the wrong type."""

    fail = "fail"
    skip = "skip"


@dataclass
class DatasetConfig:
    """A dataset: a source, a column mapping, and how prompts are derived from its rows."""

    _target_: str | None = None
    """Accepted so that reward-kit's dataset configs load unchanged; not used."""
    description: str | None = None
    source_type: SourceType = SourceType.jsonl
    path_or_name: str | None = None
    config_name: str | None = None
    split: str = "train"
    data_files: Any = None
    max_samples: int | None = None
    column_mapping: dict[str, str | None] = field(default_factory=dict)
    id_column: str | None = None
    system_prompt: str | None = None
    prompt_template: str | None = None
    few_shot_examples: list[dict[str, Any]] = field(default_factory=list)
    transformations: list[str] = field(default_factory=list)
    on_bad_row: BadRowPolicy = BadRowPolicy.fail


@dataclass
class GenerationCacheConfig:
    """The on-disk cache of model responses."""

    enabled: bool = True
    path: str | None = None
    refresh: bool = False


@dataclass
class ApiParamsConfig:
    """How requests to the model API are sent."""

    max_concurrent_requests: int = 32
    max_retries: int = 5
    timeout: float = 120.0
    backoff_base: float = 1.0


@dataclass
class GenerationConfig:
    """Generating responses with an OpenAI-compatible chat API."""

    enabled: bool = True
    model_name: str | None = None
    api_base: str = DEFAULT_INFERENCE_URL
    api_key_env: str | None = API_KEY_ENV
    temperature: float | None = 0.0
    top_p: float | None = None
    max_tokens: int | None = 1024
    stop: list[str] | None = None
    seed: int | None = None
    n: int = 1
    tool_choice: str | None = None
    extra_body: dict[str, Any] = field(default_factory=dict)
    cache: GenerationCacheConfig = field(default_factory=GenerationCacheConfig)
    api_params: ApiParamsConfig = field(default_factory=ApiParamsConfig)
    shards: int = 1
    """Ray actors that send the requests, each with its share of ``max_concurrent_requests``;
    1 sends them from the driver (docs/scale.md)."""


@dataclass
class RewardConfig:
    """The reward, as reward-kit configs give it: one function and its parameters."""

    function_path: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class RewardSpec:
    """One of several rewards (``rewards:``), combined by weighted mean."""

    function_path: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    weight: float = 1.0
    name: str | None = None


@dataclass
class EvaluationParamsConfig:
    """Which samples are evaluated and how scoring runs."""

    limit_samples: int | None = None
    timeout: float | None = 60.0
    workers: int | None = None
    pass_threshold: float = 1.0
    fail_fast_samples: int = 3
    batch_prompts: int = 1
    """Prompts per call of a batch-mode reward; each brings all of its ``n`` variants."""


@dataclass
class ScoringConfig:
    """Where sync rewards run: local worker processes, or Ray tasks (docs/scale.md)."""

    executor: str = "processes"
    ray_address: str | None = None
    """``auto``, ``ray://host:10001``, or null: ``RAY_ADDRESS``, else a local Ray."""
    num_cpus_per_task: float = 1.0
    max_in_flight: int | None = None


@dataclass
class OutputConfig:
    """Files written to the run directory, and how progress is shown."""

    results_file: str = "results.jsonl"
    preview_pairs_file: str = "preview_input_output_pairs.jsonl"
    summary_file: str = "summary.json"
    redo_generation_errors: bool = True
    progress: str = "auto"
    sort: bool = True
    """Sort results.jsonl by dataset order and variant when the run ends (rows are appended in
    completion order while it runs), so that runs can be compared line by line."""


@dataclass
class RunConfig:
    """Everything ``reward-kit run`` needs: dataset, prompts, generation, rewards, outputs."""

    dataset: DatasetConfig = field(default_factory=DatasetConfig)
    system_prompt: str | None = None
    generation: GenerationConfig = field(default_factory=GenerationConfig)
    reward: RewardConfig = field(default_factory=RewardConfig)
    rewards: list[RewardSpec] = field(default_factory=list)
    evaluation_params: EvaluationParamsConfig = field(default_factory=EvaluationParamsConfig)
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    output: OutputConfig = field(default_factory=OutputConfig)


def register_configs() -> None:
    """Register the schemas in Hydra's ConfigStore (idempotent)."""
    from hydra.core.config_store import ConfigStore

    store = ConfigStore.instance()
    store.store(name="reward_kit_run_schema", node=RunConfig)
    store.store(group="dataset", name="base_dataset_schema", node=DatasetConfig)


_PROGRESS_MODES = ("auto", "rich", "plain", "none")


def validate_config(raw: Any) -> RunConfig:
    """Check a composed config against the schema and return it as a ``RunConfig``.

    Args:
        raw: A dict or OmegaConf ``DictConfig`` (a ``hydra`` node in it is ignored).

    Raises:
        ConfigError: naming the first unknown key or ill-typed value, or a contradiction
            between keys.
    """
    from omegaconf import DictConfig, OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    config = raw if isinstance(raw, DictConfig) else OmegaConf.create(raw)
    config = OmegaConf.masked_copy(config, [str(key) for key in config if key != "hydra"])
    try:
        merged = OmegaConf.merge(OmegaConf.structured(RunConfig), config)
        run_config = OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        raise ConfigError(f"invalid config: {_describe_omegaconf_error(exc)}") from None
    assert isinstance(run_config, RunConfig)
    _check_consistency(run_config)
    return run_config


def _describe_omegaconf_error(exc: Any) -> str:
    from reward_kit.pipeline._keys import suggest_key

    message = str(exc).splitlines()[0]
    key = getattr(exc, "full_key", None)
    if not key:
        return message
    where = f" (at key '{key}')" if key not in message else ""
    return f"{message}{where}{suggest_key(str(key))}"


def _check_consistency(config: RunConfig) -> None:
    problems = []
    if config.reward.function_path and config.rewards:
        problems.append("give either reward.function_path or rewards, not both")
    if not config.reward.function_path and not config.rewards:
        problems.append("no reward: set reward.function_path (or a list under rewards)")
    problems += [
        f"rewards[{index}].function_path is empty"
        for index, spec in enumerate(config.rewards)
        if not spec.function_path
    ]
    if config.generation.enabled and not config.generation.model_name:
        problems.append(
            "generation.model_name is not set (or set generation.enabled=false to score the "
            "responses already in the dataset)"
        )
    if config.generation.n < 1:
        problems.append(f"generation.n must be at least 1, got {config.generation.n}")
    if config.evaluation_params.batch_prompts < 1:
        problems.append(
            f"evaluation_params.batch_prompts must be at least 1, got "
            f"{config.evaluation_params.batch_prompts}"
        )
    if config.generation.api_params.max_concurrent_requests < 1:
        problems.append("generation.api_params.max_concurrent_requests must be at least 1")
    if config.generation.shards < 1:
        problems.append(f"generation.shards must be at least 1, got {config.generation.shards}")
    elif config.generation.shards > config.generation.api_params.max_concurrent_requests:
        problems.append(
            f"generation.shards ({config.generation.shards}) must not exceed "
            "generation.api_params.max_concurrent_requests "
            f"({config.generation.api_params.max_concurrent_requests}): each shard needs at "
            "least one request in flight"
        )
    if config.dataset.path_or_name is None:
        problems.append("dataset.path_or_name is not set")
    problems += _scoring_problems(config.scoring)
    if config.output.progress not in _PROGRESS_MODES:
        problems.append(f"output.progress must be one of {', '.join(_PROGRESS_MODES)}")
    for name in ("max_samples",):
        value = getattr(config.dataset, name)
        if value is not None and value < 0:
            problems.append(f"dataset.{name} must not be negative")
    if problems:
        raise ConfigError("invalid config: " + "; ".join(problems))


def _scoring_problems(scoring: ScoringConfig) -> list[str]:
    problems = []
    if scoring.executor not in ("processes", "ray"):
        problems.append(f"scoring.executor must be processes or ray, got {scoring.executor!r}")
    if scoring.num_cpus_per_task <= 0:
        problems.append("scoring.num_cpus_per_task must be positive")
    if scoring.max_in_flight is not None and scoring.max_in_flight < 1:
        problems.append("scoring.max_in_flight must be at least 1")
    return problems
