"""Running the pipeline as a Hydra application: composition, overrides, run dirs, ``--multirun``.

Hydra composes the user's config (``--config-path``/``--config-name``) with the package's
defaults (``pkg://reward_kit.conf`` joins the search path, the schemas are in the ConfigStore),
applies command-line overrides and picks the run directory (``hydra.run.dir``); each job then
runs the pipeline there.

Every failure is one line (``reward-kit run: error: ...``): the config name and the override
keys are checked before Hydra starts (with "did you mean"), and Hydra's own multi-line errors
are condensed. ``--debug`` or ``HYDRA_FULL_ERROR=1`` shows the full traceback instead. A run that
fails before writing any result leaves no run directory behind; one that fails later keeps
its rows, the error in its log and a ``FAILED`` file.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reward_kit._suggest import did_you_mean
from reward_kit.errors import RewardKitError
from reward_kit.pipeline._keys import check_override_keys, suggest_key
from reward_kit.pipeline._report import print_run_report
from reward_kit.pipeline.config import ConfigError, register_configs

__all__ = ["EXIT_SAMPLE_ERRORS", "run_with_hydra"]

PACKAGE_SEARCH_PATH = "pkg://reward_kit.conf"
EXIT_SAMPLE_ERRORS = 3
"""Exit code of a run that finished but could not score some samples (without --allow-errors)."""
_JOB_NAME = "reward_kit_run"
_FAILED_MARKER = "FAILED"


def _search_path_override(config_file: Path, overrides: list[str]) -> list[str]:
    """Add the package's configs to the search path, keeping any search path the user set."""
    from omegaconf import OmegaConf

    if any(override.lstrip("+~").startswith("hydra.searchpath") for override in overrides):
        return []
    existing: list[str] = []
    if config_file.is_file():
        loaded = OmegaConf.load(config_file)
        found = OmegaConf.select(loaded, "hydra.searchpath", default=None)
        if found is not None:
            existing = [str(item) for item in found]
    if PACKAGE_SEARCH_PATH not in existing:
        existing.append(PACKAGE_SEARCH_PATH)
    quoted = ",".join(f"'{item}'" for item in existing)
    return [f"hydra.searchpath=[{quoted}]"]


def _job_name_override(overrides: list[str]) -> list[str]:
    """Name the job (and so its log file) after the command, unless the user named it."""
    if any(override.lstrip("+~").startswith("hydra.job.name") for override in overrides):
        return []
    return [f"hydra.job.name={_JOB_NAME}"]


def _check_config_name(config_dir: Path, name: str) -> None:
    """Fail in one line, with the closest name, when ``NAME.yaml`` is not in the folder."""
    if (config_dir / f"{name}.yaml").is_file() or (config_dir / f"{name}.yml").is_file():
        return
    names = sorted(path.stem for path in config_dir.glob("*.y*ml"))
    listing = f"; configs there: {', '.join(names)}" if names else "; it holds no .yaml files"
    raise ConfigError(
        f"--config-name {name!r}: no {name}.yaml in {config_dir}"
        f"{did_you_mean(name, names)}{listing}"
    )


def _condense(exc: BaseException) -> str:
    """Hydra's multi-line error as one line: its first paragraph, and the options it lists."""
    text = str(exc).strip()
    cause = exc.__cause__
    if cause is not None and str(cause).strip() and str(cause).strip() not in text:
        text = f"{text}\n{str(cause).strip()}"
    paragraph = text.split("\n\n")[0]
    lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("To append", "full_key", "object_"))]
    lines = [line for line in lines if not line.startswith("reference_type")]
    message = " ".join(lines) or type(exc).__name__
    chained: BaseException | None = exc
    while chained is not None:  # an unknown key in a config file: name the closest one
        full_key = getattr(chained, "full_key", None)
        if full_key:
            message += suggest_key(str(full_key))
            break
        chained = chained.__cause__ or chained.__context__
    absent = re.search(r"Could not override '([^']+)'", text)
    if (
        absent and "is not in struct" in text
    ):  # a known key (checked before Hydra ran) that this config leaves out
        message += (
            f" (this config does not set {absent.group(1)} and does not start from reward-kit's "
            "defaults: list them first, 'defaults: [reward_kit_defaults, _self_]', or add the "
            f"key with '+{absent.group(1)}=...')"
        )
    options = re.search(r"Available options in '([^']+)':\s*\n((?:\s+\S.*\n?)+)", text)
    if options:
        choices = [line.strip() for line in options.group(2).splitlines() if line.strip()]
        missing = re.search(r"Could not find '(?:[^'/]+/)?([^']+)'", text)
        hint = did_you_mean(missing.group(1), choices) if missing else ""
        message += f"{hint}; available in '{options.group(1)}': {', '.join(choices)}"
    return message


@contextmanager
def _hydra_raises() -> Iterator[None]:
    """Make Hydra raise its errors instead of printing them (we print them as one line)."""
    saved = os.environ.get("HYDRA_FULL_ERROR")
    os.environ["HYDRA_FULL_ERROR"] = "1"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["HYDRA_FULL_ERROR"]
        else:
            os.environ["HYDRA_FULL_ERROR"] = saved


def _is_debris(run_dir: Path, job_name: str) -> bool:
    """True when the folder holds only what Hydra and the config writer put there."""
    expected = {".hydra", f"{job_name}.log", "config.yaml", _FAILED_MARKER}
    return run_dir.is_dir() and all(entry.name in expected for entry in run_dir.iterdir())


def _fail(run_dir: Path, job_name: str, exc: BaseException) -> None:
    """Report a failed job; remove its run directory unless it holds results."""
    message = str(exc) if isinstance(exc, RewardKitError) else f"{type(exc).__name__}: {exc}"
    print(f"reward-kit run: error: {message}", file=sys.stderr)
    if _is_debris(run_dir, job_name):
        shutil.rmtree(run_dir, ignore_errors=True)
        parent, stop = run_dir.parent, Path.cwd()
        while parent != stop and stop in parent.parents and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
        return
    with (run_dir / f"{job_name}.log").open("a", encoding="utf-8") as log:
        log.write(f"reward-kit run failed: {message}\n")
    (run_dir / _FAILED_MARKER).write_text(message + "\n", encoding="utf-8")
    print(f"reward-kit run: run directory (marked {_FAILED_MARKER}): {run_dir}", file=sys.stderr)


def _exit_code(summary: dict[str, Any], allow_errors: bool) -> int:
    errors = summary["errors"]["generation"] + summary["errors"]["scoring"]
    if not errors:
        return 0
    if allow_errors:
        print(
            f"reward-kit run: {errors} of {summary['rows']} rows could not be scored "
            "(exit code 0 because of --allow-errors)",
            file=sys.stderr,
        )
        return 0
    print(
        f"reward-kit run: {errors} of {summary['rows']} rows could not be scored, so the exit "
        f"code is {EXIT_SAMPLE_ERRORS}; pass --allow-errors to exit 0 when rows fail",
        file=sys.stderr,
    )
    return EXIT_SAMPLE_ERRORS


def run_with_hydra(
    config_path: str,
    config_name: str,
    hydra_args: list[str],
    *,
    allow_errors: bool = False,
    debug: bool = False,
    after_run: Callable[[Path], None] | None = None,
) -> int:
    """Compose the config and run each job; returns the exit code.

    Args:
        config_path: Folder of the user's config (relative to the working directory).
        config_name: Its name, with or without ``.yaml``.
        hydra_args: Overrides and Hydra flags (``--multirun``, ``--cfg job``...), as typed.
        allow_errors: Exit 0 even when some rows could not be generated or scored.
        debug: Let errors through with their traceback (also ``HYDRA_FULL_ERROR=1``).
        after_run: Called with the run directory of each job that finished (the report).
    """
    import hydra
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import DictConfig

    from reward_kit.pipeline.runner import run_pipeline

    debug = debug or os.environ.get("HYDRA_FULL_ERROR") == "1"
    config_dir = Path(config_path).expanduser().resolve()
    name = config_name.removesuffix(".yaml").removesuffix(".yml")
    if not config_dir.is_dir():
        raise ConfigError(f"--config-path {config_path!r}: no such folder ({config_dir})")
    _check_config_name(config_dir, name)
    check_override_keys(hydra_args)
    register_configs()
    exit_codes: list[int] = []

    @hydra.main(version_base=None, config_path=None, config_name=None)
    def job(config: DictConfig) -> None:
        hydra_config = HydraConfig.get()
        run_dir = Path(hydra_config.runtime.output_dir)
        try:
            result = run_pipeline(config, run_dir, config_dir=config_dir)
        except Exception as exc:
            if debug:
                raise
            _fail(run_dir, str(hydra_config.job.name), exc)
            exit_codes.append(1)
            return
        (run_dir / _FAILED_MARKER).unlink(missing_ok=True)
        print_run_report(result.summary, run_dir)
        if after_run is not None:
            after_run(run_dir)
        exit_codes.append(_exit_code(result.summary, allow_errors))

    argv: list[Any] = [
        "reward-kit run",
        "--config-path",
        str(config_dir),
        "--config-name",
        name,
        *hydra_args,
        *_search_path_override(config_dir / f"{name}.yaml", hydra_args),
        *_job_name_override(hydra_args),
    ]
    saved = sys.argv
    sys.argv = argv
    try:
        with _hydra_raises():
            job()
    except SystemExit as exc:  # Hydra's own usage errors (a malformed override...)
        return exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:
        if debug:
            raise
        raise ConfigError(_condense(exc)) from None
    finally:
        sys.argv = saved
    return 1 if 1 in exit_codes else max(exit_codes, default=0)
