"""Running evaluators: one sandboxed worker pool each, switched atomically between revisions.

A runtime belongs to one revision of one evaluator. Asking for an evaluator's runtime with a
newer revision starts the new one and stops the old, so a redeployed evaluator never serves its
old code; a deleted one is stopped at once. Runtimes are kept in least-recently-used order and
the oldest are stopped past ``max_runtimes``; their workers also stop after ``idle_seconds``
without work, so an idle registry holds no worker processes. Previews of one account share one
pool, whose sandbox sees only that account's preview folders.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reward_kit._workers import WorkerPool
from reward_kit.server._code_entry import CodeEntry
from reward_kit.server._evaluation import EvaluatorRuntime
from reward_kit.server._registry._isolation import EvaluatorLimits, EvaluatorSandbox, Isolation
from reward_kit.server._registry._store import EvaluatorRecord, RegistryStore
from reward_kit.server._settings import ServerSettings

logger = logging.getLogger("reward_kit.server")

__all__ = ["Running", "Runtimes"]

_PREVIEW = ":preview"
"""Evaluator id under which an account's preview pool is kept (no real id contains ':')."""


@dataclass
class Running:
    """A started worker pool, the sandbox it runs in, and the revision and runtime it serves."""

    revision: str
    pool: WorkerPool
    sandbox: EvaluatorSandbox
    runtime: EvaluatorRuntime | None = None
    """The evaluator's runtime (None for an account's preview pool)."""

    def stop(self) -> None:
        """Stop the workers, then remove what is left of the sandbox (its cgroup)."""
        try:
            self.pool.shutdown()
        finally:
            self.sandbox.close()


class Runtimes:
    """The running evaluators of a registry.

    Args:
        store: The registry's records, code folders and secrets.
        settings: Workers, time limits, per-evaluator limits.
        isolation: What the host allows (sandboxes, cgroups).
    """

    def __init__(self, store: RegistryStore, settings: ServerSettings, isolation: Isolation):
        self.store = store
        self.settings = settings
        self.isolation = isolation
        self._running: OrderedDict[tuple[str, str], Running] = OrderedDict()
        self._stopping: set[asyncio.Future[None]] = set()

    def _limits(self, network: bool = True) -> EvaluatorLimits:
        return EvaluatorLimits(
            memory_mb=self.settings.evaluator_memory_mb,
            processes=self.settings.evaluator_processes,
            network=network,
        )

    def _pool(self, name: str, sandbox: EvaluatorSandbox) -> WorkerPool:
        return WorkerPool(
            self.settings.workers,
            name=f"rk-{name}",
            launcher=sandbox.launch,
            idle_timeout=self.settings.idle_seconds,
            output_limit=self.settings.evaluator_log_bytes,
        )

    def start(self, record: EvaluatorRecord) -> Running:
        """Start a runtime for ``record``'s revision (not yet serving: see :meth:`install`)."""
        folder = self.store.code_dir(record.account, record.evaluator_id, record.revision)
        sandbox = EvaluatorSandbox(
            self.isolation,
            self.store.root,
            [folder],
            self.store.secret_values(record.account),
            self._limits(record.network),
        )
        rewards = {
            name: CodeEntry(f"{folder}/{ref}", name=name, site_packages=record.site_packages)
            for name, ref in record.entries.items()
        }
        pool = self._pool(record.evaluator_id, sandbox)
        runtime = EvaluatorRuntime(rewards, timeout=self.settings.timeout, pool=pool)
        return Running(record.revision, pool, sandbox, runtime)

    def install(self, record: EvaluatorRecord, running: Running) -> bool:
        """Serve ``running`` for ``record`` if that revision is still the stored one."""
        stored = self.store.get(record.account, record.evaluator_id)
        if stored is None or stored.revision != running.revision:
            self._stop_later(running)
            return False
        self._put((record.account, record.evaluator_id), running)
        return True

    def current(self, record: EvaluatorRecord) -> EvaluatorRuntime:
        """The runtime of ``record``'s revision, started if needed; older ones are stopped."""
        key = (record.account, record.evaluator_id)
        running = self._running.get(key)
        if running is None or running.revision != record.revision:
            running = self.start(record)
            self._put(key, running)
        self._running.move_to_end(key)
        assert running.runtime is not None
        return running.runtime

    def preview_runtime(
        self, account: str, folder: Path, entries: Mapping[str, str], site_packages: str | None
    ) -> EvaluatorRuntime:
        """A runtime for one preview's code, on the account's shared preview pool.

        Args:
            account: The account asking.
            folder: The preview's folder, inside :meth:`preview_root` of the account.
            entries: Reward name -> reference relative to ``folder``.
            site_packages: The preview's own virtual environment, if it has requirements.
        """
        key = (account, _PREVIEW)
        running = self._running.get(key)
        if running is None:
            root = self.preview_root(account)
            sandbox = EvaluatorSandbox(self.isolation, self.store.root, [root], {}, self._limits())
            running = Running("", self._pool("preview", sandbox), sandbox)
            self._put(key, running)
        self._running.move_to_end(key)
        rewards = {
            name: CodeEntry(f"{folder}/{ref}", name=name, site_packages=site_packages)
            for name, ref in entries.items()
        }
        return EvaluatorRuntime(rewards, timeout=self.settings.timeout, pool=running.pool)

    def preview_root(self, account: str) -> Path:
        """The folder holding an account's preview code while it is scored."""
        root = self.store.root / "previews" / account
        root.mkdir(parents=True, exist_ok=True)
        return root

    def forget(self, account: str, evaluator_id: str | None = None) -> None:
        """Stop one evaluator's runtime, or (``evaluator_id=None``) every one of the account."""
        for key in [k for k in self._running if k[0] == account]:
            if evaluator_id is None or key[1] == evaluator_id:
                self._stop_later(self._running.pop(key))

    def _put(self, key: tuple[str, str], running: Running) -> None:
        previous = self._running.pop(key, None)
        if previous is not None and previous is not running:
            self._stop_later(previous)
        self._running[key] = running
        while len(self._running) > self.settings.max_runtimes:
            _, oldest = self._running.popitem(last=False)
            self._stop_later(oldest)

    def _stop_later(self, running: Running) -> None:
        """Stop a runtime off the event loop (its calls in flight finish or fail first)."""
        task = asyncio.get_running_loop().run_in_executor(None, running.stop)
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)

    async def close(self) -> None:
        """Stop every runtime."""
        while self._running:
            self._stop_later(self._running.popitem()[1])
        await asyncio.gather(*self._stopping, return_exceptions=True)
