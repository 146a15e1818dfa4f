"""What a running evaluator server is configured with."""

from __future__ import annotations

from dataclasses import dataclass

API_KEY_ENV = "RK_ENDPOINT_API_KEY"
"""Environment variable read for the server's API key when ``--api-key-env`` is not given."""


@dataclass(frozen=True)
class ServerSettings:
    """Limits and credentials of an evaluator server.

    Attributes:
        api_key: Key every request except ``/health`` and the docs must carry (``Authorization:
            Bearer KEY`` or ``X-Api-Key: KEY``); ``None`` serves without authentication.
        max_body_bytes: Largest JSON request body accepted; larger ones get 413.
        max_upload_bytes: Largest evaluator archive accepted on an upload URL.
        workers: Worker processes that evaluate sync rewards (default: the number of CPUs).
        timeout: Seconds one evaluation may take before its worker is killed.
        install_requirements: Whether uploaded evaluators may have their requirements installed
            (into a virtual environment of their own); when False they are refused.
        public_url: Base URL clients reach this server at (``https://evals.example.com``),
            used for the upload URLs a registry hands out; by default the address each
            connection reached (never the client's ``Host`` header).
        insecure_single_tenant: Run a registry's evaluators without sandboxes (for hosts that
            forbid namespaces, or one trusted tenant); it then serves one account only.
        evaluator_memory_mb: Memory of one evaluator's workers together (per worker where
            cgroups are unavailable).
        evaluator_processes: Processes and threads of one evaluator's workers together (where
            cgroups are available).
        idle_seconds: Seconds an evaluator's worker may wait for work before it is stopped.
        max_runtimes: Evaluators (and accounts' preview pools) with workers at one time; the
            least recently used are stopped past it.
        evaluator_log_bytes: Bytes of output each of an evaluator's workers may write to the
            server's log (prefixed with the evaluator's name); the rest is dropped.
    """

    api_key: str | None = None
    max_body_bytes: int = 10 * 1024 * 1024
    max_upload_bytes: int = 100 * 1024 * 1024
    workers: int | None = None
    timeout: float = 30.0
    install_requirements: bool = True
    public_url: str | None = None
    insecure_single_tenant: bool = False
    evaluator_memory_mb: int = 2048
    evaluator_processes: int = 256
    idle_seconds: float = 300.0
    max_runtimes: int = 64
    evaluator_log_bytes: int = 64 * 1024

    def __post_init__(self) -> None:
        if self.max_body_bytes < 1 or self.max_upload_bytes < 1:
            raise ValueError("body size limits must be positive")
        if self.timeout <= 0:
            raise ValueError(f"timeout must be positive, got {self.timeout}")
        if self.public_url is not None and not self.public_url.startswith(("http://", "https://")):
            raise ValueError(
                f"the public URL must start with http:// or https://, got {self.public_url!r}"
            )
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        for name in (
            "evaluator_memory_mb",
            "evaluator_processes",
            "idle_seconds",
            "max_runtimes",
            "evaluator_log_bytes",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")

    def __repr__(self) -> str:  # never show the key
        key = "set" if self.api_key else "none"
        return (
            f"ServerSettings(api_key=<{key}>, max_body_bytes={self.max_body_bytes}, "
            f"workers={self.workers}, timeout={self.timeout:g})"
        )
