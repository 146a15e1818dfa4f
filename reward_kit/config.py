"""The ``rewardkit.yaml`` settings file, by reward-kit's documented names.

``load_config()`` finds ``rewardkit.yaml`` in the working directory or the nearest parent
(or reads the path given) and validates it; ``get_config()`` returns the settings loaded last,
loading them on first use. Unlike reward-kit, a file that is not valid YAML or has a wrong
setting is an error naming the file, not a silent fall-back to the defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reward_kit._messages import describe_validation_error
from reward_kit.errors import ConfigError

__all__ = [
    "CONFIG_FILE_NAME",
    "AWSLambdaConfig",
    "ConfigError",
    "GCPCloudRunConfig",
    "RewardKitConfig",
    "find_config_file",
    "get_config",
    "load_config",
]

CONFIG_FILE_NAME = "rewardkit.yaml"
AuthMode = Literal["api-key", "iam", "mtls-client-auth"]


class GCPCloudRunConfig(BaseModel):
    """Settings of the ``gcp-cloud-run`` deploy target."""

    project_id: str | None = Field(default=None, description="Google Cloud project.")
    region: str | None = Field(default=None, description="Cloud Run region.")
    service_name_template: str = Field(
        default="rewardeval-{evaluator_id}", description="Service name per evaluator."
    )
    default_auth_mode: AuthMode = Field(default="api-key", description="How callers sign in.")
    secrets: dict[str, str] = Field(
        default_factory=dict, description="Env var -> Secret Manager secret id."
    )


class AWSLambdaConfig(BaseModel):
    """Settings reward-kit keeps for AWS Lambda (read, not used by any deploy target here)."""

    region: str | None = Field(default=None, description="AWS region.")
    function_name_template: str = Field(
        default="rewardeval-{evaluator_id}", description="Function name per evaluator."
    )
    default_auth_mode: AuthMode = Field(default="api-key", description="How callers sign in.")
    secrets: dict[str, str] = Field(default_factory=dict, description="Env var -> secret ARN.")


class RewardKitConfig(BaseModel):
    """Everything ``rewardkit.yaml`` may set; every setting has a default."""

    model_config = ConfigDict(extra="forbid")

    default_deployment_target: Literal["gcp-cloud-run", "aws-lambda", "fireworks", "local"] = Field(
        default="fireworks", description="Where deploys go by default."
    )
    gcp_cloud_run: GCPCloudRunConfig = Field(default_factory=GCPCloudRunConfig)
    aws_lambda: AWSLambdaConfig = Field(default_factory=AWSLambdaConfig)
    evaluator_endpoint_keys: dict[str, str] = Field(
        default_factory=dict, description="Evaluator id -> API key of a self-hosted endpoint."
    )


_loaded: RewardKitConfig | None = None


def find_config_file(start_path: str | Path | None = None) -> Path | None:
    """The nearest ``rewardkit.yaml`` in ``start_path`` (default: the working directory) or
    a parent of it, or None."""
    folder = Path(start_path or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_FILE_NAME).is_file():
            return candidate / CONFIG_FILE_NAME
    return None


def _read(path: Path) -> RewardKitConfig:
    import yaml  # type: ignore[import-untyped]

    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if raw is None:
        return RewardKitConfig()
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(raw).__name__}")
    try:
        return RewardKitConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, str(path))) from None


def load_config(config_path: str | Path | None = None) -> RewardKitConfig:
    """Load ``config_path`` (default: the nearest ``rewardkit.yaml``); defaults when none.

    Raises:
        ConfigError: a missing ``config_path``, invalid YAML, or a wrong setting.
    """
    global _loaded
    if config_path is not None and not Path(config_path).is_file():
        raise ConfigError(f"config file {config_path} not found")
    path = Path(config_path) if config_path is not None else find_config_file()
    _loaded = _read(path) if path is not None else RewardKitConfig()
    return _loaded


def get_config() -> RewardKitConfig:
    """The settings loaded last, loading the nearest ``rewardkit.yaml`` on first use."""
    return _loaded if _loaded is not None else load_config()
