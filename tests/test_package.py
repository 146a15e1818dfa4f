"""Tests of the package as a whole: public names, import cost, the command line."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PUBLIC_NAMES = {
    # Every name DESIGN.md lists as the compatibility surface, module by module.
    "reward_kit": [
        "reward_function",
        "RewardFunction",
        "Message",
        "EvaluateResult",
        "MetricResult",
        "StepOutput",
    ],
    "reward_kit.models": [
        "Message",
        "EvaluateResult",
        "MetricResult",
        "StepOutput",
        "ToolCall",
        "FunctionCall",
    ],
    "reward_kit.typed_interface": ["reward_function"],
    "reward_kit.reward_function": ["RewardFunction", "reward_function"],
    # reward-kit's documented modules (compat facades, see docs/compat.md).
    "reward_kit.evaluation": ["preview_evaluation", "create_evaluation", "Evaluator"],
    "reward_kit.config": ["load_config", "get_config", "RewardKitConfig"],
    "reward_kit.auth": ["get_authentication", "get_fireworks_api_key"],
    "reward_kit.server": ["RewardServer", "run_server"],
    "reward_kit.utils.batch_transformation": ["transform_n_variant_jsonl_to_batch_format"],
    "reward_kit.utils.batch_evaluation": ["run_batch_evaluation"],
    "reward_kit.platform_api": [
        "create_or_update_fireworks_secret",
        "get_fireworks_secret",
        "delete_fireworks_secret",
        "PlatformAPIError",
    ],
    "reward_kit.gcp_tools": [
        "ensure_artifact_registry_repo_exists",
        "build_and_push_docker_image",
        "deploy_to_cloud_run",
        "ensure_gcp_secret",
    ],
    "reward_kit.packaging": ["generate_dockerfile_content", "create_build_context"],
    "reward_kit.rewards.math": ["math_reward"],
    "reward_kit.rewards.multiple_choice_math_reward": ["multiple_choice_math_reward"],
    "reward_kit.rewards.list_comparison_math_reward": ["list_comparison_math_reward"],
    "reward_kit.rewards.accuracy": ["accuracy_reward"],
    "reward_kit.rewards.format": ["format_reward"],
    "reward_kit.rewards.tag_count": ["tag_count_reward"],
    "reward_kit.rewards.reasoning_steps": ["reasoning_steps_reward"],
    "reward_kit.rewards.length": ["length_reward", "cosine_length_reward"],
    "reward_kit.rewards.accuracy_length": ["cosine_scaled_accuracy_length_reward"],
    "reward_kit.rewards.repetition": ["repetition_penalty_reward", "diversity_reward"],
    "reward_kit.rewards.language_consistency": ["language_consistency_reward"],
    "reward_kit.rewards.json_schema": ["json_schema_reward"],
    "reward_kit.rewards.function_calling": [
        "exact_tool_match_reward",
        "schema_jaccard_reward",
        "llm_judge_reward",
        "composite_function_call_reward",
    ],
    "reward_kit.rewards.code_execution": [
        "local_code_execution_reward",
        "e2b_code_execution_reward",
        "fractional_code_reward",
        "humaneval_check_reward",
    ],
    "reward_kit.rewards.deepcoder_reward": ["deepcoder_code_reward"],
    "reward_kit.rewards.apps_coding_reward": ["evaluate_apps_solution"],
    # Reward families of ours beyond the compatibility surface.
    "reward_kit.rewards.rouge": ["rouge_reward", "bullet_recall_reward"],
    "reward_kit.rewards.llm_judge": ["llm_judge_reward"],
    "reward_kit.execution": [
        "LocalExecutor",
        "E2BExecutor",
        "ExecutionResult",
        "ExecutionJob",
        "ExecutionLimits",
        "SandboxUnavailableError",
        "SandboxWarning",
    ],
    "reward_kit.integrations.trl": ["create_trl_adapter", "combine"],
    # Our own additions, documented in docs/.
    "reward_kit.scoring": ["score_batch", "ascore_batch", "Scorer"],
    "reward_kit.llm": [
        "ChatClient",
        "SyncChatClient",
        "ChatResult",
        "ClientStats",
        "ResponseCache",
        "Usage",
        "cache_key",
        "shared_client",
        "DEFAULT_API_KEY_ENV",
        "DEFAULT_BASE_URL",
        "LLMError",
        "LLMRequestError",
        "LLMResponseError",
        "LLMUnavailableError",
        "MissingAPIKeyError",
    ],
}

ALSO_EXPORTED = {
    # The rest of each module's __all__: helpers reward-kit documented, and our additions.
    "reward_kit.models": ["EvaluationRequest", "message_text"],
    "reward_kit.typed_interface": ["BatchReward", "PointwiseReward", "RewardInfo"],
    "reward_kit.evaluation": [
        "EvaluatorPreviewResult",
        "PreviewError",
        "SamplePreview",
        "evaluate_dataset",
    ],
    "reward_kit.config": [
        "AWSLambdaConfig",
        "CONFIG_FILE_NAME",
        "ConfigError",
        "GCPCloudRunConfig",
        "find_config_file",
    ],
    "reward_kit.auth": [
        "Credentials",
        "CredentialsError",
        "get_api_base",
        "get_fireworks_account_id",
        "load_credentials",
    ],
    "reward_kit.server": ["API_KEY_ENV", "ServerSettings", "create_app", "create_registry_app"],
    "reward_kit.platform_api": ["CredentialsError"],
    "reward_kit.gcp_tools": ["DeployError"],
    "reward_kit.packaging": ["DEFAULT_PYTHON_VERSION", "PackagingError"],
    "reward_kit.rewards.math": ["compare_numbers", "extract_numbers"],
    "reward_kit.rewards.multiple_choice_math_reward": ["extract_mcq_option"],
    "reward_kit.rewards.list_comparison_math_reward": [
        "extract_number_list",
        "parse_number_list_from_string",
    ],
    "reward_kit.rewards.accuracy": [
        "compare_math_expressions",
        "extract_final_answer",
        "extract_text_answer",
        "fuzzy_accuracy_reward",
        "normalize_text",
    ],
    "reward_kit.rewards.format": ["DEFAULT_FORMAT_REGEX"],
    "reward_kit.rewards.reasoning_steps": [
        "DEFAULT_SEQUENCE_TERMS",
        "DEFAULT_STEP_PATTERN",
        "sequence_reward",
    ],
    "reward_kit.rewards.length": ["cosine_scaled_length", "count_tokens"],
    "reward_kit.rewards.repetition": ["get_ngrams"],
    "reward_kit.rewards.language_consistency": [
        "count_words_by_language",
        "detect_dominant_language",
    ],
    "reward_kit.rewards.json_schema": ["validate_json_string"],
    "reward_kit.rewards.function_calling": [
        "calculate_jaccard_similarity",
        "extract_schema_properties",
        "match_function_call",
    ],
    "reward_kit.rewards.code_execution": [
        "binary_code_reward",
        "compare_outputs",
        "execute_code_with_e2b",
        "execute_javascript_code",
        "execute_python_code",
        "extract_code_blocks",
    ],
    "reward_kit.rewards.llm_judge": ["DEFAULT_RUBRIC"],
    "reward_kit.execution": ["CollectFiles"],
    "reward_kit.integrations.trl": ["TRLRewardAdapter", "TRL_EXTRA_KWARGS"],
}

# The flags DESIGN.md lists for each command (its compatibility surface).
CLI_FLAGS = {
    "run": ["--config-path", "--config-name"],
    "preview": ["--metrics-folders", "--samples", "--max-samples", "--output", "--remote-url"],
    "deploy": [
        "--id",
        "--metrics-folders",
        "--display-name",
        "--description",
        "--force",
        "--target",
        "--function-ref",
    ],
    "serve": ["--function-ref", "--metrics-folders"],
}


@pytest.mark.parametrize(("module_name", "names"), PUBLIC_NAMES.items())
def test_public_names_are_importable_and_exported(module_name: str, names: list[str]) -> None:
    module = importlib.import_module(module_name)
    for name in module.__all__:
        assert hasattr(module, name), f"{module_name}.{name} is missing"
    assert len(module.__all__) == len(set(module.__all__)), f"{module_name}.__all__ repeats a name"
    # Equal, not only containing: a name added to or dropped from __all__ is a decision.
    expected = {*names, *ALSO_EXPORTED.get(module_name, [])}
    assert set(module.__all__) == expected, module_name


def _run_python(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout


def test_importing_reward_kit_loads_no_heavy_dependency() -> None:
    loaded = json.loads(
        _run_python("import sys, json, reward_kit; print(json.dumps(list(sys.modules)))")
    )
    heavy = {"httpx", "numpy", "torch", "trl", "datasets", "hydra", "fastapi", "sympy", "e2b"}
    assert heavy.isdisjoint(name.split(".")[0] for name in loaded)


def test_command_line_help_and_version() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    help_text = subprocess.run(
        [sys.executable, "-m", "reward_kit", "--help"], env=env, capture_output=True, text=True
    )
    assert help_text.returncode == 0
    assert "usage: reward-kit" in help_text.stdout
    version = subprocess.run(
        [sys.executable, "-m", "reward_kit", "--version"], env=env, capture_output=True, text=True
    )
    assert version.stdout.strip().startswith("reward-kit ")
    bare = subprocess.run([sys.executable, "-m", "reward_kit"], env=env, capture_output=True)
    assert bare.returncode == 2


def _subcommand_options(command: str) -> set[str]:
    from reward_kit.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        flag for action in subparsers.choices[command]._actions for flag in action.option_strings
    }


@pytest.mark.parametrize(("command", "flags"), CLI_FLAGS.items())
def test_cli_has_every_documented_flag(command: str, flags: list[str]) -> None:
    assert set(flags) <= _subcommand_options(command)


def test_deploy_targets_are_the_documented_ones() -> None:
    from reward_kit.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["deploy", "--id", "x", "--target", "gcp-cloud-run"])
    assert args.target == "gcp-cloud-run"
    for target in ("fireworks", "local-serve"):
        assert parser.parse_args(["deploy", "--id", "x", "--target", target]).target == target


def test_the_version_is_written_once() -> None:
    import re
    from importlib.metadata import version

    import reward_kit

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = pyproject.split("[project]", 1)[1].split("\n[", 1)[0]
    assert re.search(r"^dynamic = \[\"version\"\]", project, re.MULTILINE), project
    assert not re.search(r"^version\s*=", project, re.MULTILINE)
    assert 'version = { attr = "reward_kit.__version__" }' in pyproject
    assert version("reward-kit") == reward_kit.__version__
