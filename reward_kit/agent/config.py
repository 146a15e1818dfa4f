"""The resolved settings of one ``agent-eval`` run (what ``config.json`` records)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["AgentEvalConfig"]


@dataclass
class AgentEvalConfig:
    """Everything a run needs besides the bundle; the CLI builds it from flags and env."""

    output_dir: Path = Path("runs")
    run_dir: Path | None = None
    """Write into this folder (resuming what it holds) instead of a new timestamped one."""
    model: str | None = None
    """The agent, ``provider/model`` (None only in test mode)."""
    sim_model: str | None = None
    sim_user: bool = True
    test_mode: bool = False
    mock_response: bool = False
    debug: bool = False
    task_ids: list[str] | None = None
    max_tasks: int | None = None
    num_rollouts: int | None = None
    """Rollouts per task for every row, instead of each row's ``n_rollouts``."""
    max_concurrency: int = 3
    max_steps: int = 10
    max_user_turns: int = 5
    api_base: str | None = None
    temperature: float = 0.0
    tool_timeout: float = 30.0
    reward_timeout: float = 60.0
    reward_workers: int | None = None
    """Scoring worker processes (None: the shared pool's default)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Other settings to record (the bundle's paths and options)."""

    def to_json(self) -> dict[str, Any]:
        """The settings as JSON."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, Path):
                data[key] = str(value)
        return data
