"""Documentation pages "reward-kit API reference" (auth, server modules), the ``rewardkit.yaml``
settings file, and the "N-Variant Generation to Batch Evaluation Guide"."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from reward_kit._health import wait_until_healthy
from reward_kit.server.testing import free_port
from tests.compat.conftest import ACCOUNT, KEY, ROOT, RunScript


def test_get_authentication_reads_the_environment(run_script: RunScript) -> None:
    out = run_script(
        """
        from reward_kit.auth import get_authentication, get_fireworks_api_key
        account_id, api_key = get_authentication()
        print(account_id, api_key == get_fireworks_api_key())
        """,
        api_base="http://127.0.0.1:9",
    )
    assert out.strip() == f"{ACCOUNT} True"


def test_missing_credentials_are_a_value_error(run_script: RunScript) -> None:
    out = run_script(
        """
        from reward_kit.auth import get_authentication
        try:
            get_authentication()
        except ValueError as error:
            print("ValueError:", str(error).split(":")[0])
        """
    )
    assert out.strip() == "ValueError: no API key"


def test_rewardkit_yaml_is_found_and_validated(run_script: RunScript, tmp_path: Path) -> None:
    (tmp_path / "rewardkit.yaml").write_text(
        "default_deployment_target: gcp-cloud-run\n"
        "gcp_cloud_run:\n  project_id: my-project\n  region: europe-west1\n"
    )
    out = run_script(
        """
        from reward_kit.config import get_config
        config = get_config()
        print(config.default_deployment_target, config.gcp_cloud_run.project_id)
        """
    )
    assert out.strip() == "gcp-cloud-run my-project"
    (tmp_path / "rewardkit.yaml").write_text("default_deployment_target: moon\n")
    out = run_script(
        """
        from reward_kit.config import ConfigError, load_config
        try:
            load_config()
        except ConfigError as error:
            print("refused:", "default_deployment_target" in str(error))
        """
    )
    assert out.strip() == "refused: True"


def test_run_server_serves_a_reward_over_http(tmp_path: Path) -> None:
    (tmp_path / "my_rewards.py").write_text(
        "from reward_kit import EvaluateResult, reward_function\n\n"
        "@reward_function\n"
        "def exact(messages, ground_truth=None, **kwargs):\n"
        "    return EvaluateResult(score=float(messages[-1].content == ground_truth))\n"
    )
    port = free_port()
    script = tmp_path / "serve.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from reward_kit.server import run_server
            run_server("my_rewards:exact", host="127.0.0.1", port={port})
            """
        )
    )
    env = {"PYTHONPATH": f"{ROOT}:{tmp_path}", "PATH": "/usr/bin:/bin", "RK_ENDPOINT_API_KEY": KEY}
    process = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_until_healthy(process, url, 60) == "ready"
        chat = [{"role": "user", "content": "2+2"}, {"role": "assistant", "content": "4"}]
        body = {"messages": chat, "ground_truth": "4"}
        assert httpx.post(f"{url}/evaluate", json=body).status_code == 401
        bearer = {"Authorization": f"Bearer {KEY}"}
        answer = httpx.post(f"{url}/evaluate", json=body, headers=bearer)
        assert answer.json()["score"] == 1.0
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize("ids", [("request_id", "response_id"), ("id", "variant")])
def test_n_variant_rows_to_batch_evaluation(
    run_script: RunScript, tmp_path: Path, ids: tuple[str, str]
) -> None:
    request, response = ids
    rows = [
        {request: "q1", response: 1, "ground_truth_for_eval": "4",
         "messages": [{"role": "user", "content": "2+2"}, {"role": "assistant", "content": "5"}]},
        {request: "q1", response: 0, "ground_truth_for_eval": "4",
         "messages": [{"role": "user", "content": "2+2"}, {"role": "assistant", "content": "4"}]},
    ]  # fmt: skip
    (tmp_path / "n_variant_results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "my_module.py").write_text(
        "from typing import List\n"
        "from reward_kit.models import EvaluateResult, Message\n"
        "from reward_kit.typed_interface import reward_function\n\n"
        "@reward_function(mode='batch')\n"
        "def my_batch_reward(rollouts_messages: List[List[Message]],\n"
        "                    ground_truth_for_eval: str = None, **kwargs):\n"
        "    return [EvaluateResult(score=float(r[-1].content == ground_truth_for_eval),\n"
        "                           reason=f'Variant {i}')\n"
        "            for i, r in enumerate(rollouts_messages)]\n"
    )
    out = run_script(
        """
        from reward_kit.utils.batch_transformation import transform_n_variant_jsonl_to_batch_format
        from reward_kit.utils.batch_evaluation import run_batch_evaluation

        batch_data = transform_n_variant_jsonl_to_batch_format(
            input_file_path="n_variant_results.jsonl", output_file_path="batch_input.jsonl"
        )
        print(batch_data[0]["num_variants"])
        batch_results = run_batch_evaluation(
            batch_jsonl_path="batch_input.jsonl",
            reward_function_path="my_module.my_batch_reward",
            output_path="batch_results.jsonl",
        )
        print([(row["response_id"], row["score"]) for row in batch_results])
        """
    )
    assert out.splitlines() == ["2", "[(0, 1.0), (1, 0.0)]"]


def test_auth_ini_file_and_the_environment_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reward_kit import auth

    ini = tmp_path / "auth.ini"
    ini.write_text("[fireworks]\napi_key = from-file\naccount_id = acct\n")
    monkeypatch.setattr(auth, "AUTH_INI_FILE", ini)
    monkeypatch.delenv("FIREWORKS_API_KEY", raising=False)
    monkeypatch.delenv("FIREWORKS_ACCOUNT_ID", raising=False)
    assert (auth.get_fireworks_api_key(), auth.get_fireworks_account_id()) == ("from-file", "acct")
    # A set variable wins without the file being read: a broken file does not get in its way.
    ini.write_text("[fireworks\nnot ini")
    monkeypatch.setenv("FIREWORKS_API_KEY", "from-env")
    assert auth.get_fireworks_api_key() == "from-env"
    monkeypatch.delenv("FIREWORKS_API_KEY")
    with pytest.raises(auth.CredentialsError, match="not a valid auth.ini"):
        auth.get_fireworks_api_key()
    assert auth.FIREWORKS_CONFIG_DIR.name == ".fireworks"
