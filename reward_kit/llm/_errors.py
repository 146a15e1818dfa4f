"""Exceptions of the model client.

Every one derives from :class:`LLMError` (itself a ``RewardKitError``), and each says in its
message what failed and where, with the server's own words when it sent any. The API key never
appears in them::

    LLMError
    ├── MissingAPIKeyError     no key given and the environment variable is unset
    ├── LLMRequestError        the server refused the request (4xx other than 408/425/429):
    │                          retrying cannot help, so callers should fail fast
    ├── LLMResponseError       the server answered 200 with a body that is not a chat completion
    └── LLMUnavailableError    transient failures (429, 5xx, timeouts, connection errors)
                               outlasted the retries
"""

from __future__ import annotations

from reward_kit._http import FailureKind
from reward_kit.errors import RewardKitError

__all__ = [
    "LLMError",
    "LLMRequestError",
    "LLMResponseError",
    "LLMUnavailableError",
    "MissingAPIKeyError",
]


class LLMError(RewardKitError):
    """Base class of the model client's errors."""


class MissingAPIKeyError(LLMError):
    """No API key was passed and the environment variable that should hold it is unset."""


class LLMRequestError(LLMError):
    """The server rejected the request (bad model name, bad key, invalid parameters).

    Attributes:
        status_code: The HTTP status the server answered with.
        server_message: The error message from the server's body, or the raw body's start.
    """

    def __init__(self, message: str, *, status_code: int, server_message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.server_message = server_message


class LLMResponseError(LLMError):
    """The server answered with a body that is not a valid chat completion."""


class LLMUnavailableError(LLMError):
    """The request kept failing with transient errors until the retries ran out.

    Attributes:
        kind: What the last attempt hit: an HTTP ``status`` (429/5xx), a ``timeout``, a
            ``connection`` error, or a ``malformed`` (unparsable) body.
        status_code: The HTTP status of the last attempt, when it got a response.
        attempts: How many attempts were made.
    """

    def __init__(
        self, message: str, *, kind: FailureKind, status_code: int | None, attempts: int
    ) -> None:
        super().__init__(message)
        self.kind: FailureKind = kind
        self.status_code = status_code
        self.attempts = attempts
