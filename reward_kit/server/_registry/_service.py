"""The registry's behaviour, apart from HTTP: creating, building, uploading and running evaluators.

Each evaluator gets a worker pool of its own in a sandbox of its own (``_isolation``), so
evaluators never share processes, files, imported modules, virtual environments or secrets,
never see the registry's database or the server, and a crash in one cannot affect another.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

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
from reward_kit.server._registry._isolation import Isolation, probe_isolation
from reward_kit.server._registry._runtimes import Runtimes
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

    def __init__(
        self, root: str | Path, settings: ServerSettings, isolation: Isolation | None = None
    ) -> None:
        if isolation is None and settings.insecure_single_tenant:
            isolation = Isolation(None, "--insecure-single-tenant", None)
        self.isolation = isolation or probe_isolation()
        if not self.isolation.sandboxed and not settings.insecure_single_tenant:
            raise RuntimeError(
                "cannot sandbox evaluators on this host (bubblewrap: "
                f"{self.isolation.problem}); without namespaces, one account's evaluators could "
                "read every other account's code and secrets. Allow bubblewrap (user "
                "namespaces), or pass --insecure-single-tenant to serve a single account "
                "without sandboxes"
            )
        self.store = RegistryStore(root)
        self.settings = settings
        self.runtimes = Runtimes(self.store, settings, self.isolation)
        accounts = {record.account for record in self.store.all_records()}
        self._tenant: str | None = min(accounts) if len(accounts) == 1 else None
        if not self.isolation.sandboxed:
            logger.warning(
                "evaluators run WITHOUT a sandbox (%s): serving a single account only",
                self.isolation.problem,
            )
        self.uploads = Uploads(settings.max_upload_bytes)
        self._tasks: set[asyncio.Future[None]] = set()
        for record in self.store.all_records():
            if record.state == "BUILDING" and record.entries:  # its build died with the server
                self._fail(record, "the server stopped while building it; deploy it again")

    # evaluators ---------------------------------------------------------------------------

    def check_tenant(self, account: str) -> None:
        """Without sandboxes, refuse every account but the first one served (403)."""
        if self.isolation.sandboxed:
            return
        if self._tenant is None:
            self._tenant = account
        elif account != self._tenant:
            raise ServiceError(
                403,
                f"this server runs evaluators without a sandbox and serves only account "
                f"{self._tenant!r}",
            )

    def get(self, account: str, evaluator_id: str) -> EvaluatorRecord:
        """The evaluator, or a 404."""
        record = self.store.get(account, evaluator_id)
        if record is None:
            raise ServiceError(404, f"evaluator accounts/{account}/evaluators/{evaluator_id} "
                               "does not exist")  # fmt: skip
        return record

    async def create(self, record: EvaluatorRecord, criteria_with_code: bool) -> EvaluatorRecord:
        """Register a new evaluator; with inline code it starts building at once."""
        self.check_tenant(record.account)
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
            running = self.runtimes.start(record)
            try:
                assert running.runtime is not None
                for entry in running.runtime.rewards.values():
                    await running.runtime.run_in_pool(
                        _check_entry, entry, self.settings.timeout * 4
                    )
            except BaseException:
                await asyncio.to_thread(running.stop)
                raise
        except Exception as exc:
            logger.info("evaluator %s failed to build: %s", record.name, exc)
            detail = str(exc) if isinstance(exc, RequirementsError) else (
                f"{type(exc).__name__}: {exc}")  # fmt: skip
            self._fail(record, f"cannot load the evaluator's code: {detail}")
            return
        record.state, record.status_code, record.status_message = "ACTIVE", "OK", ""
        if self.store.save(record):  # still the current revision: serve it from now on
            self.runtimes.install(record, running)
        else:
            await asyncio.to_thread(running.stop)

    # evaluating ---------------------------------------------------------------------------

    def runtime(self, account: str, evaluator_id: str) -> EvaluatorRuntime:
        """The running evaluator's current revision; 404 if unknown, 409 while not ACTIVE."""
        self.check_tenant(account)
        record = self.get(account, evaluator_id)
        if record.state != "ACTIVE":
            problem = f": {record.status_message}" if record.status_message else ""
            raise ServiceError(409, f"evaluator {record.name} is {record.state}{problem}")
        return self.runtimes.current(record)

    async def preview(
        self,
        account: str,
        criteria: list[dict[str, Any]],
        requirements: str,
        samples: list[dict[str, Any]],
    ) -> list[EvaluateResult]:
        """Score ``samples`` with inline code, without registering anything.

        The code runs on the account's preview pool, in a sandbox that sees only the account's
        preview folders and none of its secrets.
        """
        self.check_tenant(account)
        folder = Path(tempfile.mkdtemp(prefix="preview-", dir=self.runtimes.preview_root(account)))
        try:
            try:
                entries = write_criteria(folder / "src", criteria)
                needed = self._requirements(requirements)
            except CodeError as exc:
                raise ServiceError(400, str(exc)) from None
            site: str | None = None
            if needed:
                site = str(await asyncio.to_thread(build_environment, folder / "venv", needed))
            references = {name: f"src/{ref}" for name, ref in entries.items()}
            runtime = self.runtimes.preview_runtime(account, folder, references, site)
            return list(await asyncio.gather(*(runtime.evaluate_sample(s) for s in samples)))
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)

    def secrets_changed(self, account: str) -> None:
        """Restart the account's evaluators' workers so they see the new secrets."""
        self.runtimes.forget(account)

    def _forget(self, account: str, evaluator_id: str) -> None:
        self.runtimes.forget(account, evaluator_id)

    async def close(self) -> None:
        """Stop every evaluator's workers and close the database."""
        await self.runtimes.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.store.close()
