"""The one HTTP transport policy of the package.

Used by the model client (``reward_kit.llm``), remote rewards (``reward_kit._remote``) and the
deploy client (``reward_kit.deploy._client``): which statuses are retried, how ``Retry-After``
is read (seconds or an HTTP date), the backoff between attempts, how a server's error message
is found in its reply, and connection pools that scale with concurrency. The async core is the
one implementation; blocking callers reach it through ``reward_kit._async_bridge.run_sync``.
"""

from reward_kit._http._messages import server_message
from reward_kit._http._policy import (
    RETRYABLE_4XX,
    RetryPolicy,
    backoff_delay,
    describe_retryable_statuses,
    is_retryable_status,
    parse_retry_after,
)
from reward_kit._http._pool import ConnectionPools, shared_pools
from reward_kit._http._retrying import (
    Failure,
    FailureKind,
    RetriesExhausted,
    attempt,
    with_retries,
)

__all__ = [
    "RETRYABLE_4XX",
    "ConnectionPools",
    "Failure",
    "FailureKind",
    "RetriesExhausted",
    "RetryPolicy",
    "attempt",
    "backoff_delay",
    "describe_retryable_statuses",
    "is_retryable_status",
    "parse_retry_after",
    "server_message",
    "shared_pools",
    "with_retries",
]
