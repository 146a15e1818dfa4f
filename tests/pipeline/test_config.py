"""The structured config: unknown keys and bad values are errors naming the key; docs cover it."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from reward_kit.pipeline.config import ConfigError, RunConfig, SourceType, validate_config

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
MINIMAL = {"dataset": {"path_or_name": "d.jsonl"}, "generation": {"enabled": False}}


def _with(**sections):
    config = {**MINIMAL, "reward": {"function_path": "math_reward"}}
    config.update(sections)
    return config


def _keys(cls, prefix=""):
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        kind = hints[field.name]
        key = prefix + field.name
        if dataclasses.is_dataclass(kind):
            yield from _keys(kind, key + ".")
            continue
        arguments = typing.get_args(kind)
        if typing.get_origin(kind) is list and arguments and dataclasses.is_dataclass(arguments[0]):
            yield key
            yield from _keys(arguments[0], key + "[].")
            continue
        yield key


def test_every_config_key_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    missing = [key for key in _keys(RunConfig) if f"`{key}`" not in text]
    assert not missing, f"keys missing from docs/configuration.md: {missing}"


def test_a_valid_config_gives_typed_values():
    config = validate_config(_with(generation={"enabled": False, "n": "3"}))
    assert isinstance(config, RunConfig)
    assert config.generation.n == 3
    assert config.dataset.source_type is SourceType.jsonl


def test_hydra_node_is_ignored():
    config = validate_config(_with(hydra={"run": {"dir": "x"}}))
    assert config.reward.function_path == "math_reward"


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"generation": {"modle_name": "m"}}, "modle_name"),
        ({"evaluation_params": {"limit_samples": "ten"}}, "limit_samples"),
        ({"dataset": {"path_or_name": "d", "source_type": "jsonnl"}}, "jsonnl"),
        ({"datset": {}}, "datset"),
        ({"rewards": [{"function_path": "a", "wieght": 2}]}, "wieght"),
    ],
)
def test_unknown_keys_and_bad_values_name_the_key(sections, message):
    with pytest.raises(ConfigError, match=message):
        validate_config(_with(**sections))


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({**MINIMAL}, "no reward"),
        (
            {**MINIMAL, "reward": {"function_path": "a"}, "rewards": [{"function_path": "b"}]},
            "not both",
        ),
        (
            {"dataset": {"path_or_name": "d"}, "reward": {"function_path": "a"}},
            "generation.model_name is not set",
        ),
        (
            {**MINIMAL, "reward": {"function_path": "a"}, "output": {"progress": "fancy"}},
            "progress",
        ),
        ({"generation": {"enabled": False}, "reward": {"function_path": "a"}}, "path_or_name"),
    ],
)
def test_contradictions_are_reported(config, message):
    with pytest.raises(ConfigError, match=message):
        validate_config(config)
