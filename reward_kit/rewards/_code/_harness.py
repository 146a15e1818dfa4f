"""The test harness that runs inside the sandbox for call-based and HumanEval-style checks.

It is the job's ``main.py``; the candidate's code is ``solution.py``. The harness first forks a
*worker* that loads the candidate (stdout sent to stderr, stdin closed), and only then reads
its instructions, including a nonce, from stdin. The candidate therefore never shares a
process with the test code: it cannot patch the tests, walk their stack frames, or learn the
nonce that marks the harness's own output lines. Values cross between the two processes only
as plain data (numbers, strings, None and containers of them), so an object whose ``__eq__``
always returns True cannot even be sent back. The parent decides the verdict from the
harness's nonce-marked lines.

``encode``/``decode`` are also imported by the host to read the values.
"""

import ctypes
import json
import math
import os
import struct
import sys
from typing import Any

_MAX_DEPTH = 200


class NotPlainData(TypeError):
    """A value that is not numbers, strings, None, bytes or containers of them."""


def encode(value: Any, depth: int = 0) -> Any:
    """Plain data to a JSON-able tagged form; exact types only, so no subclass can sneak in."""
    if depth > _MAX_DEPTH:
        raise NotPlainData("value nested too deeply")
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {"float": repr(value)}
    if kind is list:
        return [encode(item, depth + 1) for item in value]
    if kind is tuple:
        return {"tuple": [encode(item, depth + 1) for item in value]}
    if kind is dict:
        return {"dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if kind in (set, frozenset):
        return {kind.__name__: [encode(item, depth + 1) for item in value]}
    if kind is bytes:
        return {"bytes": value.hex()}
    if kind is complex:
        return {"complex": [encode(value.real), encode(value.imag)]}
    raise NotPlainData(f"{kind.__module__}.{kind.__qualname__} is not plain data")


def decode(data: Any) -> Any:
    """The inverse of :func:`encode`, building fresh built-in objects."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    ((tag, body),) = data.items()
    if tag == "float":
        return float(body)
    if tag == "tuple":
        return tuple(decode(item) for item in body)
    if tag == "dict":
        return {decode(k): decode(v) for k, v in body}
    if tag == "set":
        return {decode(item) for item in body}
    if tag == "frozenset":
        return frozenset(decode(item) for item in body)
    if tag == "bytes":
        return bytes.fromhex(body)
    if tag == "complex":
        return complex(decode(body[0]), decode(body[1]))
    raise ValueError(f"unknown tag {tag!r}")


def send(fd: int, message: Any) -> None:
    data = json.dumps(message).encode()
    data = struct.pack(">I", len(data)) + data
    while data:
        data = data[os.write(fd, data) :]


def receive(fd: int) -> Any:
    header = read_exactly(fd, 4)
    return json.loads(read_exactly(fd, struct.unpack(">I", header)[0]))


def read_exactly(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise EOFError("the candidate's process went away")
        data += chunk
    return data


def worker(requests: int, replies: int) -> None:
    """Load the candidate, then answer calls; never returns."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)
    namespace = {"__name__": "solution"}
    try:
        with open("solution.py", encoding="utf-8") as source:
            exec(compile(source.read(), "solution.py", "exec"), namespace)
        load_error = None
    except BaseException as error:
        load_error = f"{type(error).__name__}: {error}"
    while True:
        try:
            request = receive(requests)
        except EOFError:
            os._exit(0)
        reply: dict[str, Any]
        try:
            if load_error:
                raise RuntimeError(f"the solution failed to load: {load_error}")
            function = namespace.get(request["name"])
            if not callable(function):
                raise NameError(f"the solution defines no function {request['name']!r}")
            value = function(*decode(request["args"]), **decode(request["kwargs"]))
            reply = {"value": encode(value)}
        except BaseException as error:
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.flush()
        send(replies, reply)


class Candidate:
    """Stands for the candidate's function in the harness: each call goes to the worker."""

    def __init__(self, name: str, requests: int, replies: int) -> None:
        self.name, self.requests, self.replies = name, requests, replies

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        send(
            self.requests, {"name": self.name, "args": encode(list(args)), "kwargs": encode(kwargs)}
        )
        reply = receive(self.replies)
        if "error" in reply:
            raise CandidateError(reply["error"])
        return decode(reply["value"])


class CandidateError(Exception):
    """The candidate's function raised, or returned something that is not plain data."""


def main() -> None:
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: no ptrace, no /proc/pid/mem
    to_worker, requests = os.pipe()
    replies, from_worker = os.pipe()
    if os.fork() == 0:
        try:
            os.close(requests)
            os.close(replies)
            worker(to_worker, from_worker)
        finally:
            os._exit(0)
    os.close(to_worker)
    os.close(from_worker)
    config = json.loads(sys.stdin.readline())
    nonce = config["nonce"]
    candidate = Candidate(config["entry_point"], requests, replies)
    if config["mode"] == "humaneval":
        namespace: dict[str, Any] = {"__name__": "__harness__"}
        exec(compile(config["prompt"], "prompt.py", "exec"), namespace)
        exec(compile(config["test"], "test.py", "exec"), namespace)
        namespace["check"](candidate)
        print(f"{nonce} PASS", flush=True)
    else:
        for index, call in enumerate(config["calls"]):
            try:
                value = encode(candidate(*decode(call["args"]), **decode(call["kwargs"])))
                line = {"index": index, "value": value}
            except (CandidateError, NotPlainData, EOFError) as error:
                line = {"index": index, "error": str(error)}
            print(nonce, json.dumps(line), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
