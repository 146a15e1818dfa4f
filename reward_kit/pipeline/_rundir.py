"""The files of a run directory besides its results: the resolved config and preview pairs."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from reward_kit._atomic import replaced_when_complete
from reward_kit.pipeline.config import RunConfig
from reward_kit.pipeline.results import generation_failed, iter_results

__all__ = ["write_preview_pairs", "write_resolved_config"]

logger = logging.getLogger(__name__)

_RESULT_SHAPING_KEYS = ("dataset", "system_prompt", "generation", "reward", "rewards")
_NOT_RESULT_SHAPING = frozenset({"generation.api_params", "generation.cache"})


def _changed_keys(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two plain configs."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = sorted(set(old) | set(new))
        return [
            changed
            for key in keys
            if f"{prefix}{key}" not in _NOT_RESULT_SHAPING
            for changed in _changed_keys(old.get(key), new.get(key), f"{prefix}{key}.")
        ]
    return [] if old == new else [prefix.rstrip(".")]


def write_resolved_config(config: RunConfig, path: Path, resuming: bool) -> None:
    """Write the config; when resuming, warn about changes that make rows incomparable."""
    from omegaconf import OmegaConf

    text = OmegaConf.to_yaml(OmegaConf.structured(config))
    if resuming and path.exists():
        old = OmegaConf.to_container(OmegaConf.load(path))
        new = OmegaConf.to_container(OmegaConf.create(text))
        assert isinstance(old, dict) and isinstance(new, dict)
        changed = [
            key
            for section in _RESULT_SHAPING_KEYS
            for key in _changed_keys({section: old.get(section)}, {section: new.get(section)})
        ]
        if changed:
            logger.warning(
                "resuming %s with a config that differs in %s: earlier rows were made with the "
                "old values",
                path.parent,
                ", ".join(changed),
            )
    path.write_text(text, encoding="utf-8")


def write_preview_pairs(results: Path, path: Path) -> None:
    """The rows of ``results`` that have a response, as ``reward-kit preview`` reads them."""
    with replaced_when_complete(path) as handle:
        for row in iter_results(results):
            if not generation_failed(row):
                pair = {"id": row["id"], "messages": row["messages"]}
                pair["ground_truth"] = row.get("ground_truth")
                handle.write(json.dumps(pair, ensure_ascii=False) + "\n")
