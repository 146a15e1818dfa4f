"""Checks on what a program wrote: files it created, insights it printed, a plot it saved.

reward-kit's E2B overview describes "file-based" evaluation (``file_operations``: each file was
created with the expected content, or just exists) and "data analysis" evaluation (a dataset
uploaded as ``dataset.csv``, ``expected_insights`` found in the output, a plot). Here the
program runs sandboxed as always; the files it wrote come back as data
(:attr:`~reward_kit.execution.ExecutionResult.files`) and are judged on the host.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reward_kit.execution import CollectFiles, ExecutionResult
from reward_kit.execution._files import safe_name
from reward_kit.models import MetricResult
from reward_kit.rewards._code._compare import outputs_match

_PNG = b"\x89PNG\r\n\x1a\n"
_IMAGE_PATTERNS = ("**/*.png", "**/*.PNG")

FileCheck = Callable[[dict[str, bytes]], Any]
"""A user's check of the collected files: returns a bool or a score in [0, 1] (may be async)."""


class FileCheckError(ValueError):
    """The file checks were given wrongly (a bad operation, an unsafe path, a bad check)."""


@dataclass(frozen=True)
class FileChecks:
    """What to check beyond stdout; :meth:`from_options` builds it from the reward's options."""

    operations: tuple[tuple[str, str, str | bytes | None], ...] = ()
    insights: tuple[str, ...] = ()
    expect_plot: bool = False
    check: FileCheck | None = None
    inputs: Mapping[str, str | bytes] = field(default_factory=dict)
    extra_patterns: tuple[str, ...] = ()
    max_file_bytes: int = 1 << 20

    @classmethod
    def from_options(
        cls,
        file_operations: Sequence[Mapping[str, Any]] | None,
        expected_files: Mapping[str, str | bytes] | None,
        expected_insights: Sequence[str] | None,
        expect_plot: bool,
        check_files: FileCheck | None,
        input_files: Mapping[str, str | bytes] | None,
        dataset_path: str | None,
        collect_files: Sequence[str] | None,
    ) -> FileChecks | None:
        """``None`` when no file option was given (the reward then judges stdout only)."""
        operations: list[tuple[str, str, str | bytes | None]] = []
        for operation in file_operations or ():
            kind = operation.get("type", "create")
            if kind not in ("create", "exists") or "path" not in operation:
                raise FileCheckError(
                    f"file operation {dict(operation)!r}: needs 'path' and a 'type' of "
                    "'create' (with 'content') or 'exists'"
                )
            content = operation.get("content", "") if kind == "create" else None
            operations.append((_relative(operation["path"]), kind, content))
        for path, content in (expected_files or {}).items():
            operations.append((_relative(path), "create", content))
        inputs = {_relative(name): data for name, data in (input_files or {}).items()}
        if dataset_path is not None:
            inputs.setdefault("dataset.csv", Path(dataset_path).read_bytes())
        if check_files is not None and not callable(check_files):
            raise FileCheckError("check_files must be a function of the collected files")
        patterns = tuple(_relative(p) for p in collect_files or ())
        if not (operations or expected_insights or expect_plot or check_files or patterns):
            return None if not inputs else cls(inputs=inputs)
        return cls(
            tuple(operations),
            tuple(expected_insights or ()),
            expect_plot,
            check_files,
            inputs,
            patterns,
        )

    def collect(self) -> CollectFiles | None:
        """The files the executor must bring back for these checks."""
        patterns = [_escape(path) for path, _, _ in self.operations] + list(self.extra_patterns)
        if self.expect_plot:
            patterns += _IMAGE_PATTERNS
        if self.check is not None and not self.extra_patterns:
            patterns.append("**")
        if not patterns:
            return None
        return CollectFiles(tuple(dict.fromkeys(patterns)), max_file_bytes=self.max_file_bytes)

    async def judge(self, result: ExecutionResult) -> tuple[float, dict[str, MetricResult]]:
        """The share of checks passed (their product across kinds) and one metric per kind."""
        metrics: dict[str, MetricResult] = {}
        scores: list[float] = []
        files = dict(result.files)
        if self.collect() is not None:
            listed = ", ".join(sorted(files)) or "none"
            skipped = "; ".join(f"{k}: {v}" for k, v in sorted(result.files_skipped.items()))
            metrics["files"] = MetricResult(
                score=float(bool(files)),
                reason=f"collected: {listed}" + (f"; skipped: {skipped}" if skipped else ""),
            )
        if self.operations:
            passed, notes = 0, []
            for path, kind, content in self.operations:
                ok, note = _check_operation(files, result.files_skipped, path, kind, content)
                passed += ok
                notes.append(f"{path}: {note}")
            share = passed / len(self.operations)
            metrics["file_operations"] = MetricResult(
                score=share, reason="; ".join(notes), success=share == 1.0
            )
            scores.append(share)
        if self.insights:
            output = result.stdout.lower()
            found = [i for i in self.insights if i.lower() in output]
            share = len(found) / len(self.insights)
            missing = [i for i in self.insights if i not in found]
            metrics["expected_insights"] = MetricResult(
                score=share,
                reason=f"{len(found)}/{len(self.insights)} found"
                + (f"; missing: {missing}" if missing else ""),
                success=share == 1.0,
            )
            scores.append(share)
        if self.expect_plot:
            plots = sorted(name for name, data in files.items() if data.startswith(_PNG))
            metrics["has_plot"] = MetricResult(
                score=float(bool(plots)),
                reason=f"PNG images: {', '.join(plots)}" if plots else "no PNG image written",
                success=bool(plots),
            )
            scores.append(float(bool(plots)))
        if self.check is not None:
            value = await _run_check(self.check, files)
            metrics["file_check"] = MetricResult(
                score=value, reason=f"check_files returned {value:g}", success=value == 1.0
            )
            scores.append(value)
        return math.prod(scores), metrics


def _relative(path: Any) -> str:
    text = str(path)
    while text.startswith("./"):
        text = text[2:]
    if not safe_name(text):
        raise FileCheckError(f"file path {path!r} must be relative to the working directory")
    return text


def _escape(path: str) -> str:
    """A literal path as a glob that matches only itself."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in path)


def _check_operation(
    files: dict[str, bytes],
    skipped: Mapping[str, str],
    path: str,
    kind: str,
    content: str | bytes | None,
) -> tuple[bool, str]:
    if path not in files:
        why = skipped.get(path)
        return False, f"not returned ({why})" if why else "not created"
    if kind == "exists":
        return True, "exists"
    data = files[path]
    if isinstance(content, bytes):
        return (data == content, "content matches" if data == content else "content differs")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False, "not UTF-8 text"
    ok = outputs_match(text, str(content))
    return ok, "content matches" if ok else f"content differs: {text[:100]!r}"


async def _run_check(check: FileCheck, files: dict[str, bytes]) -> float:
    try:
        value = check(files)
        if inspect.isawaitable(value):
            value = await value
    except Exception as error:
        raise FileCheckError(f"check_files raised {type(error).__name__}: {error}") from error
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float) and 0.0 <= float(value) <= 1.0:
        return float(value)
    raise FileCheckError(f"check_files must return a bool or a score in [0, 1], got {value!r}")
