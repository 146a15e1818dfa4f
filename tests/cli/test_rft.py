"""``reward-kit rft`` against a local stand-in of Fireworks' RFT job endpoint.

Training cannot run here, so the stand-in speaks the endpoint's protocol (paths, field names,
the job id as a query parameter, pagination) over real HTTP and records the jobs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException, Request

from tests._servers.asgi import running_app

KEY = "fw-rft-key-0123456789"


def standin() -> tuple[FastAPI, dict[str, dict[str, Any]]]:
    app = FastAPI()
    jobs: dict[str, dict[str, Any]] = {}
    base = "/v1/accounts/{account}/reinforcementFineTuningJobs"

    def check(request: Request) -> None:
        if request.headers.get("authorization") != f"Bearer {KEY}":
            raise HTTPException(401, "unauthenticated")

    @app.post(base)
    async def create(account: str, request: Request) -> dict[str, Any]:
        check(request)
        body = await request.json()
        for field in ("dataset", "evaluator"):
            if not str(body.get(field, "")).startswith(f"accounts/{account}/"):
                raise HTTPException(400, f"{field} must be a resource name of {account}")
        if not body.get("trainingConfig", {}).get("baseModel"):
            raise HTTPException(400, "trainingConfig.baseModel is required")
        job_id = request.query_params.get("reinforcementFineTuningJobId") or f"job{len(jobs)}"
        jobs[job_id] = {
            **body,
            "name": f"accounts/{account}/reinforcementFineTuningJobs/{job_id}",
            "state": "JOB_STATE_CREATING",
            "createTime": "2026-01-01T00:00:00Z",
        }
        return jobs[job_id]

    @app.get(base + "/{job_id}")
    async def get(account: str, job_id: str, request: Request) -> dict[str, Any]:
        check(request)
        if job_id not in jobs:
            raise HTTPException(404, f"job {job_id} not found")
        return jobs[job_id]

    @app.get(base)
    async def listing(account: str, request: Request, pageToken: str = "") -> dict[str, Any]:
        check(request)
        names = sorted(jobs)
        start = int(pageToken or 0)
        page = names[start : start + 1]  # one per page, so the client must follow tokens
        more = start + 1 < len(names)
        return {
            "reinforcementFineTuningJobs": [jobs[n] for n in page],
            "nextPageToken": str(start + 1) if more else "",
        }

    return app, jobs


@pytest.fixture
def service() -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
    app, jobs = standin()
    with running_app(app) as url:
        yield url, jobs


def rft(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FIREWORKS_API_KEY": KEY, "FIREWORKS_ACCOUNT_ID": "acme",
           "FIREWORKS_API_BASE": url}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "reward_kit", "rft", *args],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_create_get_and_list_jobs(service: tuple[str, dict[str, dict[str, Any]]]) -> None:
    url, jobs = service
    created = rft(
        url, "create", "--evaluator", "exact-match", "--dataset", "gsm8k-train",
        "--base-model", "accounts/fireworks/models/qwen3-0p6b", "--job-id", "my-job",
        "--epochs", "2", "--learning-rate", "0.0001", "--temperature", "0.7",
        "--response-candidates", "4", "--output-model", "qwen-math",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    job = json.loads(created.stdout)
    assert job["name"] == "accounts/acme/reinforcementFineTuningJobs/my-job"
    sent = jobs["my-job"]
    assert sent["evaluator"] == "accounts/acme/evaluators/exact-match"
    assert sent["dataset"] == "accounts/acme/datasets/gsm8k-train"
    assert sent["trainingConfig"] == {
        "baseModel": "accounts/fireworks/models/qwen3-0p6b",
        "epochs": 2,
        "learningRate": 0.0001,
        "outputModel": "qwen-math",
    }
    assert sent["inferenceParameters"] == {"temperature": 0.7, "responseCandidatesCount": 4}
    assert KEY not in created.stdout + created.stderr

    second = rft(url, "create", "--evaluator", "accounts/acme/evaluators/other",
                 "--dataset", "d", "--base-model", "m")  # fmt: skip
    assert second.returncode == 0, second.stderr

    got = rft(url, "get", "my-job")
    assert json.loads(got.stdout)["state"] == "JOB_STATE_CREATING"
    listed = rft(url, "list").stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == [
        "accounts/acme/reinforcementFineTuningJobs/job1",
        "accounts/acme/reinforcementFineTuningJobs/my-job",
    ]


def test_errors_of_the_service_are_reported(service: tuple[str, dict[str, dict[str, Any]]]) -> None:
    url, _ = service
    missing = rft(url, "get", "nope")
    assert missing.returncode == 1
    assert "HTTP 404: job nope not found" in missing.stderr
    bad = rft(url, "create", "--evaluator", "accounts/other/evaluators/x", "--dataset", "d",
              "--base-model", "m")  # fmt: skip
    assert bad.returncode == 1 and "evaluator must be a resource name of acme" in bad.stderr
    usage = rft(url, "create", "--dataset", "d", "--base-model", "m")
    assert usage.returncode == 2 and "--evaluator" in usage.stderr
