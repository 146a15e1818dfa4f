"""``reward-kit deploy``: package a reward function and register it where RFT jobs can call it.

Targets: the Fireworks evaluator service, any ``reward-kit serve --registry`` server (the same
API, at ``FIREWORKS_API_BASE``), a local server (``local-serve``), or Google Cloud Run
(``gcp-cloud-run``). The client also manages secrets and reinforcement fine-tuning jobs.
"""

from __future__ import annotations

from reward_kit._credentials import Credentials, CredentialsError, load_credentials
from reward_kit.deploy._api import DeployResult, deploy
from reward_kit.deploy._client import ApiError, FireworksClient
from reward_kit.deploy._package import Package, PackagingError, build_package
from reward_kit.deploy._service import DeployError, preview_on_service

__all__ = [
    "ApiError",
    "Credentials",
    "CredentialsError",
    "DeployError",
    "DeployResult",
    "FireworksClient",
    "Package",
    "PackagingError",
    "build_package",
    "deploy",
    "load_credentials",
    "preview_on_service",
]
