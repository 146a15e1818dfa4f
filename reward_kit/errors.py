"""Exceptions raised by reward-kit.

Every exception reward-kit raises to its callers derives from :class:`RewardKitError`, so they
can catch the library's failures in one place. Where a built-in exception type is the natural one
(a malformed message is a ``ValueError``, a bad return value a ``TypeError``), ours also derives
from it. Each class is defined next to its code (module in brackets when not this one)::

    RewardKitError
    ├── InvalidMessageError (ValueError)      a message that does not fit the Message model
    ├── InvalidRewardFunctionError (TypeError)
    │   └── InvalidReturnValueError            a reward returned something that is not a result
    ├── DuplicateRewardNameError (ValueError)  two different rewards registered or combined
    │                                          under one name
    ├── RewardNotFoundError (LookupError)      a name or reference that resolves to nothing
    ├── ModuleLoadError (ImportError)          a user's module failed to import (syntax, deps)
    ├── EvaluationError                        evaluating a sample failed
    │   ├── EvaluationTimeout (TimeoutError)   the worker ran past its time limit and was killed
    │   ├── WorkerCrashed                      the worker process died while evaluating
    │   └── CannotSendCall [_worker_handle]    the call cannot be pickled for a worker
    ├── RemoteEvaluationError                  a remote evaluator answered with an error
    ├── CredentialsError (ValueError) [_credentials, reward_kit.auth]  no usable API key/account
    ├── RewardInputError (ValueError) [rewards._common]  a reward's input holds no answer
    ├── SandboxUnavailableError [execution]    bubblewrap was asked for but cannot run here
    ├── LLMError [llm]                         the model client failed
    │   ├── MissingAPIKeyError                 no API key in the argument or environment
    │   ├── LLMRequestError                    the model server refused the request (4xx)
    │   ├── LLMResponseError                   a 200 answer that is not a chat completion
    │   └── LLMUnavailableError                transient failures outlasted the retries
    ├── ConfigError (ValueError)              a run config or rewardkit.yaml that cannot be
    │                                          used (also ``pipeline.config.ConfigError`` and
    │                                          ``config.ConfigError``)
    ├── DatasetError (ValueError) [pipeline._sources]  a dataset that cannot be read
    ├── RowProblem [pipeline._prompts]         one row cannot become a sample
    ├── GenerationAborted [pipeline.generation]  generation cannot succeed for any sample
    ├── ResultsFileError (ValueError) [pipeline.results]  a results line that is not a row
    ├── PreviewError (ValueError) [pipeline.preview]  preview's samples or rewards are unusable
    ├── ReportError (ValueError) [report._load]  a run directory cannot be reported on
    ├── BundleError [agent.bundle]             an agent-eval bundle that cannot be run
    ├── PackagingError (ValueError) [deploy._package]  an evaluator that cannot be packaged
    ├── DeployError [deploy._service]          the evaluator could not be deployed
    ├── ApiError [deploy._client]              an API refused a request or was unreachable
    │   └── PlatformAPIError [platform_api]    reward-kit's name for it in the secrets helpers
    └── ServiceError [server._registry._errors]  a request the evaluator registry refuses

Internal, caught where they are raised and never seen by callers (most become an invalid
result or an HTTP answer), so they keep the built-in base that fits::

    JSONExtractionError (ValueError) [rewards._json_extract]  no single JSON value in a response
    JudgeError (ValueError) [rewards._judge]                  the LLM judge gave no usable score
    ToolCallFormatError (ValueError) [rewards._tool_calls]    a malformed tool call
    FileCheckError (ValueError) [rewards._code._files]        file checks given wrongly
    Rejected (ValueError) [rewards._sql.guard]                not a single read-only SELECT
    CandidateError, NotPlainData (TypeError) [rewards._code._harness]  raised in the sandboxed
                                                              program, which imports no reward_kit
    SandboxFailure [execution._sandbox._client]               the sandbox itself failed
    RetriesExhausted [_http._retrying]                        every attempt of a request failed
    CodeError (ValueError) [server._registry._code]           an uploaded evaluator is unusable
    RequirementsError (RuntimeError) [server._registry._environment]  pip failed

Warnings: ``SandboxWarning`` [execution] (weaker isolation than asked for) and
``RewardOptionWarning`` [rewards._options] (a misspelt reward option), both ``UserWarning``.

A new exception class is added to this tree; ``tests/test_errors.py`` checks that every one is.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
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


class ConfigError(RewardKitError, ValueError):
    """A configuration cannot be used: a run config's unknown key, wrong type or contradiction,
    or a ``rewardkit.yaml`` that is not YAML or holds a wrong setting."""


class RemoteEvaluationError(RewardKitError):
    """A remote evaluator rejected the request or kept failing.

    Attributes:
        status_code: The HTTP status of the last response, or ``None`` when no response came.
    """

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
