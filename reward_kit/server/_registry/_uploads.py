"""One-use upload URLs: their tokens, and archives streamed to disk under the declared size.

The URL's token is the only authorisation of a PUT, so it is checked before any of the body is
read: an unknown token costs the server nothing. The body goes to disk chunk by chunk and the
size declared to ``getUploadEndpoint`` is a hard cap. A PUT of the wrong size keeps the token,
so the client can retry; only a complete upload uses it up.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from reward_kit.server._registry._errors import ServiceError

ARCHIVE = "upload.tar.gz"
"""Name of the uploaded archive inside the revision's folder."""
_TTL = 3600.0


@dataclass
class PendingUpload:
    """Where an upload URL's archive goes and how large it must be."""

    account: str
    evaluator_id: str
    revision: str
    size: int
    expires: float
    busy: bool = False


class Uploads:
    """The upload URLs handed out and not yet used."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._pending: dict[str, PendingUpload] = {}

    def issue(
        self, account: str, evaluator_id: str, revision: str, filename: str, size: int
    ) -> str:
        """A new token for PUTting one ``.tar.gz`` of ``size`` bytes (valid for an hour)."""
        if not filename.endswith((".tar.gz", ".tgz")):
            raise ServiceError(400, f"{filename!r}: the code must be uploaded as a .tar.gz")
        if not 0 < size <= self.max_bytes:
            raise ServiceError(
                400, f"{filename!r}: size {size} is not between 1 and {self.max_bytes} bytes"
            )
        now = time.monotonic()
        self._pending = {t: u for t, u in self._pending.items() if u.expires > now}
        token = secrets.token_urlsafe(32)
        self._pending[token] = PendingUpload(account, evaluator_id, revision, size, now + _TTL)
        return token

    def claim(self, token: str, declared: int | None) -> PendingUpload:
        """The upload ``token`` stands for, checked before any of the body is read.

        Raises:
            ServiceError: 404 for an unknown, used or expired token; 409 while another PUT to
                it is in progress; 400 when the declared Content-Length is not the agreed size.
        """
        upload = self._pending.get(token)
        if upload is None or upload.expires < time.monotonic():
            raise ServiceError(404, "this upload URL is unknown, used or expired")
        if upload.busy:
            raise ServiceError(409, "another upload to this URL is in progress")
        if declared is not None and declared != upload.size:
            raise ServiceError(400, _wrong_size(declared, upload.size))
        upload.busy = True
        return upload

    async def receive(
        self, token: str, upload: PendingUpload, body: AsyncIterator[bytes], folder: Path
    ) -> None:
        """Write ``body`` to ``folder/upload.tar.gz``; the token is used up only on success."""
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{ARCHIVE}.{secrets.token_hex(4)}.part"
        received = 0
        try:
            with open(partial, "wb") as out:
                async for chunk in body:
                    received += len(chunk)
                    if received > upload.size:
                        raise ServiceError(400, _wrong_size(f"over {upload.size}", upload.size))
                    out.write(chunk)
            if received != upload.size:
                raise ServiceError(400, _wrong_size(received, upload.size))
            os.replace(partial, folder / ARCHIVE)
            self._pending.pop(token, None)
        finally:
            upload.busy = False
            partial.unlink(missing_ok=True)


def _wrong_size(got: object, declared: int) -> str:
    return (
        f"the upload is {got} bytes, but {declared} were declared to getUploadEndpoint; "
        "PUT exactly that many bytes to the same URL"
    )
