"""How a job ended (:class:`ExecutionResult`) and the limits it ran under."""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

ExecutionStatus = Literal[
    "ok", "error", "timeout", "memory_exceeded", "output_limit", "sandbox_error"
]


def _from_base64(value: Any) -> Any:
    return base64.b64decode(value, validate=True) if isinstance(value, str) else value


def _to_base64(data: bytes) -> str:
    return base64.b64encode(data).decode()


FileContent = Annotated[
    bytes,
    BeforeValidator(_from_base64),
    PlainSerializer(_to_base64, return_type=str, when_used="json"),
]
"""A file's bytes; standard base64 in JSON (a ``str`` given on input is decoded as base64)."""


class ExecutionLimits(BaseModel):
    """The limits a job ran under, recorded with its result."""

    model_config = ConfigDict(frozen=True)

    timeout_s: float = Field(description="Wall-clock limit; CPU time is capped just above it.")
    memory_mb: int = Field(description="Memory for the whole job (cgroup) or each process.")
    max_output_bytes: int = Field(description="Captured bytes per stream before truncation.")
    max_processes: int = Field(description="Processes and threads the job may run at once.")
    max_file_bytes: int = Field(description="Largest file the job may write.")
    isolation: str = Field(description="'bwrap', 'rlimits' or 'e2b': how the job was isolated.")


class ExecutionResult(BaseModel):
    """How a job ended.

    ``status`` is ``ok`` (exit 0), ``error`` (non-zero exit or uncaught exception), ``timeout``,
    ``memory_exceeded``, ``output_limit`` (a stream went past ``max_output_bytes``; the captured
    text is truncated) or ``sandbox_error``: the infrastructure failed and the code's own
    behaviour is unknown, which callers must not count as the candidate failing.
    """

    model_config = ConfigDict(frozen=True)

    status: ExecutionStatus
    exit_code: int | None = Field(
        default=None, description="Exit code; negative for a signal (-9 = SIGKILL)."
    )
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    duration_s: float = 0.0
    limits: ExecutionLimits | None = None
    error: str | None = Field(default=None, description="What failed, for sandbox_error.")
    files: dict[str, FileContent] = Field(
        default_factory=dict,
        description="Files collected from the working directory (relative path -> bytes), "
        "when the job asked for them; base64 in JSON.",
    )
    files_skipped: dict[str, str] = Field(
        default_factory=dict,
        description="Matching files not returned (path -> why: symlink, too large, ...).",
    )

    @property
    def ok(self) -> bool:
        """Whether the code ran to completion and exited with status 0."""
        return self.status == "ok"

    @property
    def truncated(self) -> bool:
        """Whether any captured output was cut at ``max_output_bytes``."""
        return self.stdout_truncated or self.stderr_truncated
