"""Exceptions raised by reward-kit.

Every exception derives from :class:`RewardKitError`, so callers can catch the library's failures
in one place. Where a built-in exception type is the natural one (a malformed message is a
``ValueError``, a bad return value a ``TypeError``), ours also derives from it::

    RewardKitError
    ├── InvalidMessageError (ValueError)      a message that does not fit the Message model
    ├── InvalidRewardFunctionError (TypeError)
    │   └── InvalidReturnValueError            a reward returned something that is not a result
    ├── DuplicateRewardNameError (ValueError)  two different rewards registered or combined
    │                                          under one name
    ├── RewardNotFoundError (LookupError)      a name or reference that resolves to nothing
    ├── ModuleLoadError (ImportError)          a user's module failed to import (syntax, deps)
    ├── EvaluationError                        evaluating a sample failed
    │   ├── EvaluationTimeout                  the worker ran past its time limit and was killed
    │   └── WorkerCrashed                      the worker process died while evaluating
    ├── RemoteEvaluationError                  a remote evaluator answered with an error
    └── LLMError (reward_kit.llm)              the model client failed; see reward_kit.llm
        ├── MissingAPIKeyError                 no API key in the argument or environment
        ├── LLMRequestError                    the model server refused the request (4xx)
        ├── LLMResponseError                   a 200 answer that is not a chat completion
        └── LLMUnavailableError                transient failures outlasted the retries

Later layers add their own subclasses next to their code and list them in this tree.
"""

from __future__ import annotations

__all__ = [
    "DuplicateRewardNameError",
    "EvaluationError",
    "EvaluationTimeout",
    "InvalidMessageError",
    "InvalidReturnValueError",
    "InvalidRewardFunctionError",
    "ModuleLoadError",
    "RemoteEvaluationError",
    "RewardKitError",
    "RewardNotFoundError",
    "WorkerCrashed",
]


class RewardKitError(Exception):
    """Base class of every error reward-kit raises."""


class InvalidMessageError(RewardKitError, ValueError):
    """A message (usually from a dataset or a request) does not fit the ``Message`` model."""


class InvalidRewardFunctionError(RewardKitError, TypeError):
    """A function cannot be used as a reward function (for example it lacks ``**kwargs``)."""


class InvalidReturnValueError(InvalidRewardFunctionError):
    """A reward function returned something that cannot be read as an ``EvaluateResult``."""


class DuplicateRewardNameError(RewardKitError, ValueError):
    """Two different reward functions were registered, or combined, under the same name."""


class RewardNotFoundError(RewardKitError, LookupError):
    """A reward name or reference (``pkg.mod:fn``, ``path/main.py:fn``) does not resolve."""


class ModuleLoadError(RewardKitError, ImportError):
    """A user's module (a metrics folder's ``main.py``, ``pkg.mod``) raised while importing."""


class EvaluationError(RewardKitError):
    """Evaluating a sample failed for a reason outside the reward's own logic."""


class EvaluationTimeout(EvaluationError, TimeoutError):
    """The evaluation ran past its time limit; the worker running it was killed."""


class WorkerCrashed(EvaluationError):
    """The worker process evaluating a sample died (crash, ``os._exit``, out of memory)."""


class RemoteEvaluationError(RewardKitError):
    """A remote evaluator rejected the request or kept failing.

    Attributes:
        status_code: The HTTP status of the last response, or ``None`` when no response came.
    """

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
