"""Running the pipeline as a Hydra application: composition, overrides, run dirs, ``--multirun``.

Hydra composes the user's config (``--config-path``/``--config-name``) with the package's
defaults (``pkg://reward_kit.conf`` joins the search path, the schemas are in the ConfigStore),
applies command-line overrides and picks the run directory (``hydra.run.dir``); each job then
runs the pipeline there. Failures of a job are printed as one clear line, not a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from reward_kit.errors import RewardKitError
from reward_kit.pipeline._report import print_run_report
from reward_kit.pipeline.config import ConfigError, register_configs

__all__ = ["run_with_hydra"]

PACKAGE_SEARCH_PATH = "pkg://reward_kit.conf"


def _search_path_override(config_file: Path, overrides: list[str]) -> list[str]:
    """Add the package's configs to the search path, keeping any search path the user set."""
    from omegaconf import OmegaConf

    if any(override.lstrip("+~").startswith("hydra.searchpath") for override in overrides):
        return []
    existing: list[str] = []
    if config_file.is_file():
        loaded = OmegaConf.load(config_file)
        found = OmegaConf.select(loaded, "hydra.searchpath", default=None)
        if found is not None:
            existing = [str(item) for item in found]
    if PACKAGE_SEARCH_PATH not in existing:
        existing.append(PACKAGE_SEARCH_PATH)
    quoted = ",".join(f"'{item}'" for item in existing)
    return [f"hydra.searchpath=[{quoted}]"]


def _job_name_override(overrides: list[str]) -> list[str]:
    """Name the job (and so its log file) after the command, unless the user named it."""
    if any(override.lstrip("+~").startswith("hydra.job.name") for override in overrides):
        return []
    return ["hydra.job.name=reward_kit_run"]


def run_with_hydra(config_path: str, config_name: str, hydra_args: list[str]) -> int:
    """Compose the config and run each job; returns the exit code.

    Args:
        config_path: Folder of the user's config (relative to the working directory).
        config_name: Its name, with or without ``.yaml``.
        hydra_args: Overrides and Hydra flags (``--multirun``, ``--cfg job``...), as typed.
    """
    import hydra
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import DictConfig

    from reward_kit.pipeline.runner import run_pipeline

    config_dir = Path(config_path).expanduser().resolve()
    name = config_name.removesuffix(".yaml").removesuffix(".yml")
    if not config_dir.is_dir():
        raise ConfigError(f"--config-path {config_path!r} is not a folder")
    register_configs()
    exit_codes: list[int] = []

    @hydra.main(version_base=None, config_path=None, config_name=None)
    def job(config: DictConfig) -> None:
        run_dir = Path(HydraConfig.get().runtime.output_dir)
        try:
            result = run_pipeline(config, run_dir, config_dir=config_dir)
        except RewardKitError as exc:
            print(f"reward-kit run: error: {exc}", file=sys.stderr)
            print(f"reward-kit run: run directory: {run_dir}", file=sys.stderr)
            exit_codes.append(1)
            return
        print_run_report(result.summary, run_dir)
        exit_codes.append(0)

    argv: list[Any] = [
        "reward-kit run",
        "--config-path",
        str(config_dir),
        "--config-name",
        name,
        *hydra_args,
        *_search_path_override(config_dir / f"{name}.yaml", hydra_args),
        *_job_name_override(hydra_args),
    ]
    saved = sys.argv
    sys.argv = argv
    try:
        job()
    except SystemExit as exc:  # Hydra reports composition errors itself, then exits
        return exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.argv = saved
    return max(exit_codes, default=0)
