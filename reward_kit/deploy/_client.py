"""A client of the Fireworks REST API's evaluator, secret and RFT job endpoints.

It speaks to api.fireworks.ai and to a ``reward-kit serve --registry`` server alike. Requests
follow the package's one transport policy (:mod:`reward_kit._http`): network errors, 408, 425,
429 and 5xx are retried, honouring ``Retry-After``; other errors raise at once with the
server's message. The async core runs on reward-kit's background loop; the methods block.
The API key goes only into the ``Authorization`` header of API calls (never to upload URLs,
which carry their own signature) and never into a message.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from reward_kit import _http
from reward_kit._async_bridge import run_sync
from reward_kit._credentials import Credentials
from reward_kit.errors import RewardKitError

_CONNECTIONS = 8
_UPLOAD_TIMEOUT = 600.0


class ApiError(RewardKitError):
    """The API refused a request or could not be reached.

    Attributes:
        status_code: The HTTP status, or None when no answer came.
    """

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class FireworksClient:
    """Calls to one account of the Fireworks API (or a registry speaking it).

    Args:
        credentials: Key, account and base URL.
        timeout: Seconds per request.
        max_retries: Retries after network errors, 429 and 5xx.
    """

    def __init__(
        self, credentials: Credentials, *, timeout: float = 60.0, max_retries: int = 3
    ) -> None:
        self.credentials = credentials
        self.max_retries = max_retries
        self.timeout = timeout
        self._policy = _http.RetryPolicy(max_retries=max_retries)
        self._pools: _http.ConnectionPools | None = None

    @property
    def account_path(self) -> str:
        """``/v1/accounts/<account>``."""
        return f"/v1/accounts/{self.credentials.account_id}"

    def request(
        self, method: str, path: str, *, body: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        """Send an API request and return its JSON answer."""
        return run_sync(self._arequest(method, path, body=body, params=params))

    def put_upload(self, url: str, data: bytes) -> None:
        """PUT an archive to a signed upload URL (no API key: the URL is the authorisation)."""
        run_sync(self._aput_upload(url, data))

    def close(self) -> None:
        """Close the connections."""
        if self._pools is not None:
            run_sync(self._pools.aclose())
            self._pools = None

    def __enter__(self) -> FireworksClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _connections(self) -> _http.ConnectionPools:
        if self._pools is None:  # made on the background loop, where every call runs
            self._pools = _http.ConnectionPools(_CONNECTIONS, self.timeout)
        return self._pools

    async def _arequest(
        self, method: str, path: str, *, body: Any, params: dict[str, Any] | None
    ) -> Any:
        pools = self._connections()
        url = self.credentials.api_base + path
        headers = {"Authorization": f"Bearer {self.credentials.api_key}"}

        async def send() -> httpx.Response | _http.Failure:
            return await _http.attempt(
                pools, method, url, timeout=self.timeout, json=body, params=params, headers=headers
            )

        try:
            response = await _http.with_retries(send, self._policy, where=f"{method} {path}")
        except _http.RetriesExhausted as exc:
            raise ApiError(f"{method} {path} failed: {exc}", exc.failure.status) from None
        if response.status_code >= 400:
            problem = f"HTTP {response.status_code}: {_http.server_message(response)}"
            raise ApiError(f"{method} {path} failed: {problem}", response.status_code)
        return response.json() if response.content else {}

    async def _aput_upload(self, url: str, data: bytes) -> None:
        headers = {
            "Content-Type": "application/octet-stream",
            "X-Goog-Content-Length-Range": f"{len(data)},{len(data)}",
        }
        answer = await _http.attempt(
            self._connections(), "PUT", url, timeout=_UPLOAD_TIMEOUT, content=data, headers=headers
        )
        if isinstance(answer, _http.Failure):
            raise ApiError(f"uploading the code failed: {answer.detail}", answer.status)
        if answer.status_code >= 400:
            raise ApiError(
                f"uploading the code failed: HTTP {answer.status_code}: "
                f"{_http.server_message(answer)}",
                answer.status_code,
            )

    # evaluators

    def get_evaluator(self, evaluator_id: str) -> dict[str, Any] | None:
        """The evaluator, or None when it does not exist."""
        try:
            result: dict[str, Any] = self.request(
                "GET", f"{self.account_path}/evaluators/{evaluator_id}"
            )
        except ApiError as exc:
            if exc.status_code == 404:
                return None
            raise
        return result

    def list_evaluators(self) -> list[dict[str, Any]]:
        """Every evaluator of the account (all pages)."""
        return self._list_all("evaluators")

    def delete_evaluator(self, evaluator_id: str) -> None:
        """Delete an evaluator."""
        self.request("DELETE", f"{self.account_path}/evaluators/{evaluator_id}")

    def create_evaluator(
        self, evaluator_id: str, evaluator: dict[str, Any], *, upload: bool
    ) -> dict[str, Any]:
        """Create an evaluator: ``evaluatorsV2`` when the code is uploaded next, else inline."""
        collection = "evaluatorsV2" if upload else "evaluators"
        result: dict[str, Any] = self.request(
            "POST",
            f"{self.account_path}/{collection}",
            body={"evaluator": evaluator, "evaluatorId": evaluator_id},
        )
        return result

    def upload_code(self, evaluator_id: str, filename: str, archive: bytes) -> None:
        """Get a signed URL, PUT the archive to it and ask the service to validate it."""
        path = f"{self.account_path}/evaluators/{evaluator_id}"
        answer = self.request(
            "POST", f"{path}:getUploadEndpoint", body={"filenameToSize": {filename: len(archive)}}
        )
        url = (answer.get("filenameToSignedUrls") or {}).get(filename)
        if not url:
            raise ApiError(f"getUploadEndpoint gave no upload URL for {filename}: {answer}")
        self.put_upload(url, archive)
        self.request("POST", f"{path}:validateUpload", body={})

    def preview_evaluator(
        self, evaluator: dict[str, Any], samples: list[dict[str, Any]], max_samples: int
    ) -> dict[str, Any]:
        """Score ``samples`` with inline code, without creating anything."""
        result: dict[str, Any] = self.request(
            "POST",
            f"{self.account_path}/evaluators:previewEvaluator",
            body={
                "evaluator": evaluator,
                "sampleData": [json.dumps(sample) for sample in samples],
                "maxSamples": max_samples,
            },
        )
        return result

    # secrets and RFT jobs

    def create_secret(self, key_name: str, value: str) -> dict[str, Any]:
        """Create (or replace) a secret, read by evaluators as ``$key_name``."""
        result: dict[str, Any] = self.request(
            "POST",
            f"{self.account_path}/secrets",
            body={"name": f"accounts/{self.credentials.account_id}/secrets/{key_name}",
                  "keyName": key_name, "value": value},
        )  # fmt: skip
        return result

    def list_secrets(self) -> list[dict[str, Any]]:
        """The account's secrets (names only)."""
        return list(self.request("GET", f"{self.account_path}/secrets").get("secrets", []))

    def delete_secret(self, key_name: str) -> None:
        """Delete a secret."""
        self.request("DELETE", f"{self.account_path}/secrets/{key_name}")

    def create_rft_job(self, job: dict[str, Any], job_id: str | None = None) -> dict[str, Any]:
        """Create a reinforcement fine-tuning job."""
        params = {"reinforcementFineTuningJobId": job_id} if job_id else None
        result: dict[str, Any] = self.request(
            "POST", f"{self.account_path}/reinforcementFineTuningJobs", body=job, params=params
        )
        return result

    def get_rft_job(self, job_id: str) -> dict[str, Any]:
        """One reinforcement fine-tuning job."""
        result: dict[str, Any] = self.request(
            "GET", f"{self.account_path}/reinforcementFineTuningJobs/{job_id}"
        )
        return result

    def list_rft_jobs(self) -> list[dict[str, Any]]:
        """The account's reinforcement fine-tuning jobs (all pages)."""
        return self._list_all("reinforcementFineTuningJobs")

    def _list_all(self, collection: str) -> list[dict[str, Any]]:
        """Every item of an account collection (the page field has its name), all pages."""
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            page = self.request(
                "GET",
                f"{self.account_path}/{collection}",
                params={"pageSize": 200, "pageToken": token},
            )
            items.extend(page.get(collection, []))
            token = page.get("nextPageToken", "")
            if not token:
                return items
