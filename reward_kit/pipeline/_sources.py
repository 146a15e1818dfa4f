"""Reading a dataset's raw rows: HuggingFace ``datasets`` for the Hub and most file formats.

JSONL files are read directly, line by line, instead: through ``datasets`` the first load of a
file costs about 2 s (importing the library and building its Arrow cache) against
milliseconds here, which matters for a 10 s evaluation, and a line that is not JSON can be
reported with its file and line number (and skipped, if the config says so).
"""

from __future__ import annotations

import glob
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reward_kit.errors import RewardKitError
from reward_kit.pipeline.config import DatasetConfig, SourceType

if TYPE_CHECKING:
    import datasets

__all__ = ["DatasetError", "UnreadableRow", "load_rows"]

_BUILDERS = {
    SourceType.jsonl: "json",
    SourceType.json: "json",
    SourceType.csv: "csv",
    SourceType.parquet: "parquet",
}


class DatasetError(RewardKitError, ValueError):
    """A dataset cannot be loaded, or has rows that cannot be used (with row and column)."""


@dataclass(frozen=True)
class UnreadableRow:
    """A line of a JSONL file that is not a JSON object: a bad row, said where."""

    problem: str


def resolve_local_path(path: str, base_dir: Path | None) -> Path:
    """A local path as given (relative to the working directory) or else next to the config."""
    candidate = Path(path).expanduser()
    if candidate.is_absolute() or candidate.exists() or base_dir is None:
        return candidate
    beside_config = base_dir / candidate
    return beside_config if beside_config.exists() else candidate


def _local_data_files(config: DatasetConfig, base_dir: Path | None) -> Any:
    """The ``data_files`` argument for a local source, with paths resolved."""
    files = config.data_files if config.data_files is not None else config.path_or_name
    if isinstance(files, str):
        return _existing(files, base_dir)
    if isinstance(files, list):
        return [_existing(str(item), base_dir) for item in files]
    if isinstance(files, dict):
        return {
            str(split): _existing(str(item), base_dir)
            if isinstance(item, str)
            else [_existing(str(one), base_dir) for one in item]
            for split, item in files.items()
        }
    raise DatasetError(f"dataset.data_files must be a path, a list or a dict, got {files!r}")


def _existing(path: str, base_dir: Path | None) -> str:
    resolved = resolve_local_path(path, base_dir)
    if not resolved.exists() and not any(mark in path for mark in "*?["):
        where = f" (nor in {base_dir})" if base_dir is not None else ""
        raise DatasetError(f"dataset file {path!r} not found in {Path.cwd()}{where}")
    return str(resolved)


def _load(config: DatasetConfig, base_dir: Path | None) -> datasets.Dataset:
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    assert config.path_or_name is not None
    if config.source_type is SourceType.huggingface:
        loaded = datasets.load_dataset(
            config.path_or_name,
            config.config_name,
            split=config.split,
            data_files=config.data_files,
        )
    else:
        data_files = _local_data_files(config, base_dir)
        split = config.split if isinstance(data_files, dict) else "train"
        loaded = datasets.load_dataset(
            _BUILDERS[config.source_type], data_files=data_files, split=split
        )
    if not isinstance(loaded, datasets.Dataset):
        raise DatasetError(
            f"dataset {config.path_or_name!r} gave {type(loaded).__name__}; set dataset.split"
        )
    return loaded


def _jsonl_files(config: DatasetConfig, base_dir: Path | None) -> list[str]:
    files = _local_data_files(config, base_dir)
    if isinstance(files, dict):
        if config.split not in files:
            raise DatasetError(f"dataset.data_files has no split {config.split!r}: {sorted(files)}")
        files = files[config.split]
    paths: list[str] = []
    for pattern in [files] if isinstance(files, str) else files:
        matches = (
            sorted(glob.glob(pattern)) if any(mark in pattern for mark in "*?[") else [pattern]
        )
        if not matches:
            raise DatasetError(f"dataset file pattern {pattern!r} matches no file")
        paths += matches
    return paths


def _read_jsonl(paths: list[str]) -> Iterator[dict[str, Any] | UnreadableRow]:
    for path in paths:
        try:
            handle = open(path, "rb")  # noqa: SIM115 (the with below closes it)
        except IsADirectoryError:
            raise DatasetError(f"{path} is a folder, not a JSONL file") from None
        except OSError as exc:
            raise DatasetError(f"cannot read {path}: {exc.strerror or exc}") from None
        with handle:
            for number, raw in enumerate(handle, start=1):
                if number == 1:  # editors on Windows start UTF-8 files with a byte order mark
                    raw = raw.removeprefix(b"\xef\xbb\xbf")
                row = _jsonl_row(raw, f"{path}, line {number}")
                if row is not None:
                    yield row


def _jsonl_row(raw: bytes, where: str) -> dict[str, Any] | UnreadableRow | None:
    """One JSONL line as a row, or why it is not one (``None``: a blank line)."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return UnreadableRow(f"{where}: not UTF-8 (byte {exc.start + 1} is {raw[exc.start]:#04x})")
    if not line.strip():
        return None
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        return UnreadableRow(f"{where}: not JSON ({exc.msg})")
    except RecursionError:
        return UnreadableRow(f"{where}: JSON nested too deeply to read")
    if isinstance(row, dict):
        return row
    return UnreadableRow(f"{where}: not a JSON object")


def load_rows(
    config: DatasetConfig, base_dir: Path | None, limit: int | None
) -> Iterator[dict[str, Any] | UnreadableRow]:
    """Yield up to ``limit`` rows (also capped by ``dataset.max_samples``) as plain dicts.

    Lines of a JSONL file that are not JSON objects come as :class:`UnreadableRow`.

    Raises:
        DatasetError: the source is missing or cannot be read as a table; the message names
            the dataset and the cause.
    """
    caps = [cap for cap in (config.max_samples, limit) if cap is not None]
    if config.source_type is SourceType.jsonl:
        remaining = min(caps) if caps else None
        for row in _read_jsonl(_jsonl_files(config, base_dir)):
            if remaining is not None and remaining <= 0:
                return
            if remaining is not None:
                remaining -= 1
            yield row
        return
    try:
        dataset = _load(config, base_dir)
    except DatasetError:
        raise
    except Exception as exc:
        cause = str(exc).strip().splitlines()
        detail = cause[-1] if cause else ""
        context = exc.__cause__ or exc.__context__
        if context is not None and str(context).strip():
            detail = f"{detail} ({type(context).__name__}: {str(context).strip().splitlines()[0]})"
        raise DatasetError(
            f"cannot load dataset {config.path_or_name!r} ({config.source_type.value}): "
            f"{type(exc).__name__}: {detail}"
        ) from exc
    count = min([len(dataset), *caps])
    if count < len(dataset):
        dataset = dataset.select(range(count))
    yield from dataset.to_list()  # one bulk conversion: far cheaper than row by row
