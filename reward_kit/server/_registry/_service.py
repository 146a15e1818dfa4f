"""The registry's behaviour, apart from HTTP: creating, building, uploading and running evaluators.

Each evaluator gets a worker pool of its own, so evaluators never share imported modules,
``sys.path`` entries, virtual environments or secrets, and a crash in one cannot affect another.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from reward_kit._workers import WorkerPool
from reward_kit.models import EvaluateResult
from reward_kit.server._code_entry import CodeEntry
from reward_kit.server._evaluation import EvaluatorRuntime
from reward_kit.server._registry._archive import unpack_upload
from reward_kit.server._registry._code import CodeError, write_criteria
from reward_kit.server._registry._environment import (
    RequirementsError,
    build_environment,
    parse_requirements,
)
from reward_kit.server._registry._errors import ServiceError
from reward_kit.server._registry._store import EvaluatorRecord, RegistryStore
from reward_kit.server._registry._uploads import ARCHIVE, Uploads
from reward_kit.server._settings import ServerSettings

logger = logging.getLogger("reward_kit.server")

__all__ = ["RegistryService", "ServiceError"]


def _check_entry(entry: CodeEntry) -> str:
    """Import an evaluator's entry point (in a worker) and say what it is."""
    function = entry.load()
    if not callable(function):
        raise TypeError(f"{entry.reference} is {type(function).__name__}, not a function")
    return repr(function)


class RegistryService:
    """Evaluators of every account, their code, builds and running workers."""

    def __init__(self, root: str | Path, settings: ServerSettings) -> None:
        self.store = RegistryStore(root)
        self.settings = settings
        self._runtimes: dict[tuple[str, str], tuple[str, EvaluatorRuntime]] = {}
        self.uploads = Uploads(settings.max_upload_bytes)
        self._tasks: set[asyncio.Future[None]] = set()
        for record in self.store.all_records():
            if record.state == "BUILDING" and record.entries:  # its build died with the server
                self._fail(record, "the server stopped while building it; deploy it again")

    # evaluators ---------------------------------------------------------------------------

    def get(self, account: str, evaluator_id: str) -> EvaluatorRecord:
        """The evaluator, or a 404."""
        record = self.store.get(account, evaluator_id)
        if record is None:
            raise ServiceError(404, f"evaluator accounts/{account}/evaluators/{evaluator_id} "
                               "does not exist")  # fmt: skip
        return record

    async def create(self, record: EvaluatorRecord, criteria_with_code: bool) -> EvaluatorRecord:
        """Register a new evaluator; with inline code it starts building at once."""
        src = self.store.code_dir(record.account, record.evaluator_id, record.revision) / "src"
        requirements: list[str] = []
        if criteria_with_code:
            try:
                entries = write_criteria(src, record.criteria)
                requirements = self._requirements(record.requirements)
            except (CodeError, ServiceError) as exc:
                shutil.rmtree(src.parent, ignore_errors=True)
                raise ServiceError(getattr(exc, "status", 400), str(exc)) from None
            record.entries = {name: f"src/{ref}" for name, ref in entries.items()}
        else:
            record.status_message = "waiting for the code: getUploadEndpoint, PUT, validateUpload"
        if not self.store.insert(record):
            shutil.rmtree(src.parent, ignore_errors=True)
            raise ServiceError(409, f"evaluator {record.name} already exists (delete it first)")
        self._forget(record.account, record.evaluator_id)
        if criteria_with_code:
            self._start_build(record, requirements)
        return record

    async def delete(self, account: str, evaluator_id: str) -> None:
        """Remove an evaluator, its code and its workers."""
        self._forget(account, evaluator_id)
        if not await asyncio.to_thread(self.store.delete, account, evaluator_id):
            raise ServiceError(404, f"evaluator accounts/{account}/evaluators/{evaluator_id} "
                               "does not exist")  # fmt: skip

    def _requirements(self, *texts: str) -> list[str]:
        try:
            requirements = parse_requirements(*texts)
        except ValueError as exc:
            raise ServiceError(400, str(exc)) from None
        if requirements and not self.settings.install_requirements:
            raise ServiceError(
                400,
                f"the evaluator requires {requirements}, but this server does not install "
                "requirements (it was started with --no-install-requirements); install them "
                "into the server's environment or ask for a server that installs them",
            )
        return requirements

    # uploads ------------------------------------------------------------------------------

    def upload_token(self, record: EvaluatorRecord, filename: str, size: int) -> str:
        """A one-use token for PUTting the evaluator's archive (the signed URL's secret)."""
        return self.uploads.issue(
            record.account, record.evaluator_id, record.revision, filename, size
        )

    async def receive_upload(
        self, token: str, declared: int | None, body: Callable[[], AsyncIterator[bytes]]
    ) -> None:
        """Store the archive PUT to an upload URL; ``body`` is read only for a valid token."""
        upload = self.uploads.claim(token, declared)
        folder = self.store.code_dir(upload.account, upload.evaluator_id, upload.revision)
        await self.uploads.receive(token, upload, body(), folder)

    async def validate_upload(self, record: EvaluatorRecord) -> None:
        """Unpack the uploaded archive, find the entry points and start the build.

        The archive is unpacked and checked in a scratch folder that becomes ``src/`` only
        when all of it passed, so a rejected archive leaves nothing behind.
        """
        folder = self.store.code_dir(record.account, record.evaluator_id, record.revision)
        archive = folder / ARCHIVE
        if not archive.is_file():
            raise ServiceError(400, f"no code was uploaded for {record.name}: call "
                               "getUploadEndpoint and PUT the archive first")  # fmt: skip
        try:
            root, entries, requirements_text = await asyncio.to_thread(
                unpack_upload, archive, folder / "src", record.entry_point
            )
            requirements = self._requirements(record.requirements, requirements_text)
        except (CodeError, ServiceError) as exc:
            self._fail(record, str(exc))
            raise ServiceError(getattr(exc, "status", 400), str(exc)) from None
        prefix = root.relative_to(folder).as_posix()
        record.entries = {name: f"{prefix}/{ref}" for name, ref in entries.items()}
        record.state, record.status_code, record.status_message = "BUILDING", "OK", ""
        self.store.save(record)
        self._start_build(record, requirements)

    # building -----------------------------------------------------------------------------

    def _fail(self, record: EvaluatorRecord, message: str) -> None:
        record.state, record.status_code, record.status_message = (
            "BUILD_FAILED", "FAILED_PRECONDITION", message
        )  # fmt: skip
        self.store.save(record)

    def _start_build(self, record: EvaluatorRecord, requirements: list[str]) -> None:
        task = asyncio.get_running_loop().create_task(self._build(record, requirements))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _build(self, record: EvaluatorRecord, requirements: list[str]) -> None:
        folder = self.store.code_dir(record.account, record.evaluator_id, record.revision)
        try:
            if requirements:
                site = await asyncio.to_thread(build_environment, folder / "venv", requirements)
                record.site_packages = str(site)
            runtime = self._make_runtime(record)
            try:
                for entry in runtime.rewards.values():
                    await runtime.run_in_pool(_check_entry, entry, self.settings.timeout * 4)
            except BaseException:
                await asyncio.to_thread(runtime.close)
                raise
            self._runtimes[(record.account, record.evaluator_id)] = (record.revision, runtime)
        except Exception as exc:
            logger.info("evaluator %s failed to build: %s", record.name, exc)
            detail = str(exc) if isinstance(exc, RequirementsError) else (
                f"{type(exc).__name__}: {exc}")  # fmt: skip
            if self.store.get(record.account, record.evaluator_id) is not None:
                self._fail(record, f"cannot load the evaluator's code: {detail}")
            return
        if self.store.get(record.account, record.evaluator_id) is not None:
            record.state, record.status_code, record.status_message = "ACTIVE", "OK", ""
            self.store.save(record)

    def _references(self, record: EvaluatorRecord) -> dict[str, str]:
        folder = self.store.code_dir(record.account, record.evaluator_id, record.revision)
        return {name: f"{folder}/{ref}" for name, ref in record.entries.items()}

    def _make_runtime(self, record: EvaluatorRecord) -> EvaluatorRuntime:
        env = self.store.secret_values(record.account)
        rewards = {
            name: CodeEntry(reference, name=name, site_packages=record.site_packages, env=env)
            for name, reference in self._references(record).items()
        }
        pool = WorkerPool(self.settings.workers, name=f"rk-{record.evaluator_id}")
        return EvaluatorRuntime(rewards, timeout=self.settings.timeout, pool=pool)

    # evaluating ---------------------------------------------------------------------------

    def runtime(self, account: str, evaluator_id: str) -> EvaluatorRuntime:
        """The running evaluator; 404 if unknown, 409 while it is not ACTIVE."""
        cached = self._runtimes.get((account, evaluator_id))
        if cached is not None:
            return cached[1]
        record = self.get(account, evaluator_id)
        if record.state != "ACTIVE":
            problem = f": {record.status_message}" if record.status_message else ""
            raise ServiceError(409, f"evaluator {record.name} is {record.state}{problem}")
        runtime = self._make_runtime(record)
        self._runtimes[(account, evaluator_id)] = (record.revision, runtime)
        return runtime

    async def preview(
        self, criteria: list[dict[str, Any]], requirements: str, samples: list[dict[str, Any]]
    ) -> list[EvaluateResult]:
        """Score ``samples`` with inline code, without registering anything."""
        folder = Path(tempfile.mkdtemp(prefix="preview-", dir=self.store.root))
        runtime: EvaluatorRuntime | None = None
        try:
            try:
                entries = write_criteria(folder / "src", criteria)
                needed = self._requirements(requirements)
            except CodeError as exc:
                raise ServiceError(400, str(exc)) from None
            record = EvaluatorRecord("preview", "preview", uuid.uuid4().hex)
            record.entries = {name: f"{folder}/src/{ref}" for name, ref in entries.items()}
            if needed:
                site = await asyncio.to_thread(build_environment, folder / "venv", needed)
                record.site_packages = str(site)
            rewards = {
                name: CodeEntry(ref, name=name, site_packages=record.site_packages)
                for name, ref in record.entries.items()
            }
            pool = WorkerPool(self.settings.workers, name="rk-preview")
            runtime = EvaluatorRuntime(rewards, timeout=self.settings.timeout, pool=pool)
            return list(await asyncio.gather(*(runtime.evaluate_sample(s) for s in samples)))
        finally:
            if runtime is not None:
                await asyncio.to_thread(runtime.close)
            await asyncio.to_thread(shutil.rmtree, folder, True)

    def secrets_changed(self, account: str) -> None:
        """Restart the account's evaluators' workers so they see the new secrets."""
        for key in [key for key in self._runtimes if key[0] == account]:
            self._forget(*key)

    def _forget(self, account: str, evaluator_id: str) -> None:
        cached = self._runtimes.pop((account, evaluator_id), None)
        if cached is not None:
            task = asyncio.get_running_loop().run_in_executor(None, cached[1].close)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Stop every evaluator's workers and close the database."""
        for key in list(self._runtimes):
            self._forget(*key)
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.store.close()
