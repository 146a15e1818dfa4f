"""The public names of each module: DESIGN.md's compatibility surface and the rest of ``__all__``.

``tests/test_package.py`` checks each module's ``__all__`` against these; other tests use the
lists to find, say, every public reward.
"""

from __future__ import annotations

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
