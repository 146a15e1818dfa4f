"""``reward-kit preview``: score samples that already have responses, and show the results."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reward_kit._atomic import replaced_when_complete
from reward_kit.cli._flags import positive_float, positive_int
from reward_kit.cli._output import check_output

if TYPE_CHECKING:
    from reward_kit.pipeline.preview import HuggingFaceSource, PreviewResult

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``preview`` subcommand."""
    parser = subparsers.add_parser(
        "preview",
        help="score samples with metrics folders or a deployed evaluator",
        description=(
            "Score samples that already end with a response, as 'reward-kit run' does with "
            "generation.enabled=false: the same dataset reader, reward set, rows and summary. "
            "Samples are {'messages': [...], 'ground_truth': ...} per JSONL line (such as a "
            "run's preview_input_output_pairs.jsonl) or a HuggingFace dataset; rewards are each "
            "metrics folder's main.py:evaluate, rewards named by --function-ref, or a deployed "
            "evaluator, several combined into their mean with each one's score a metric under "
            "its name. Prints a per-sample table and the summary. A sample that cannot be "
            "scored (including one whose last message is not the assistant's) is shown as "
            "ERROR and written with \"score\": null. See 'reward-kit docs preview'."
        ),
    )
    parser.add_argument(
        "--metrics-folders",
        nargs="+",
        default=[],
        metavar="NAME=PATH",
        help="metrics folders, each holding main.py with an evaluate() reward",
    )
    parser.add_argument(
        "--function-ref",
        action="append",
        default=[],
        metavar="REF",
        help="also score with this reward: a built-in name (math_reward), pkg.mod.fn or "
        "path/file.py:fn; may be repeated",
    )
    parser.add_argument("--samples", metavar="FILE", help="JSONL samples file, or a run directory")
    parser.add_argument(
        "--max-samples", type=positive_int, metavar="N", help="score only the first N"
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="write the rows (as a run's results.jsonl) to FILE and the report beside it, as "
        "FILE with the suffix .html",
    )
    parser.add_argument(
        "--remote-url", metavar="URL", help="score with the evaluator at URL (wire format)"
    )
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=60.0,
        metavar="S",
        help="seconds per sample per reward",
    )
    parser.add_argument(
        "--huggingface-dataset", metavar="NAME", help="read samples from this HuggingFace dataset"
    )
    parser.add_argument(
        "--huggingface-split", default="train", metavar="SPLIT", help="the dataset's split"
    )
    parser.add_argument(
        "--huggingface-prompt-key",
        default="prompt",
        metavar="COLUMN",
        help="column holding the user message",
    )
    parser.add_argument(
        "--huggingface-response-key",
        default="response",
        metavar="COLUMN",
        help="column holding the assistant response",
    )
    parser.add_argument(
        "--huggingface-key-map",
        metavar="JSON",
        help='more columns as sample keys, e.g. \'{"answer": "ground_truth"}\'',
    )
    parser.add_argument(
        "--verbose", action="store_true", help="show reasons and errors in full, and each metric"
    )
    parser.set_defaults(handler=_handle)


def _huggingface(args: argparse.Namespace) -> HuggingFaceSource | None:
    """The HuggingFace source the flags describe, if any."""
    from reward_kit.pipeline.preview import HuggingFaceSource, PreviewError

    if not args.huggingface_dataset:
        return None
    try:
        key_map = json.loads(args.huggingface_key_map) if args.huggingface_key_map else {}
    except json.JSONDecodeError as exc:
        raise PreviewError(f"--huggingface-key-map is not JSON: {exc.msg}") from None
    if not isinstance(key_map, dict) or not all(
        isinstance(value, str) for value in key_map.values()
    ):
        raise PreviewError(
            "--huggingface-key-map must be a JSON object of column names, such as "
            f'\'{{"answer": "ground_truth"}}\', got {args.huggingface_key_map}'
        )
    return HuggingFaceSource(
        args.huggingface_dataset,
        split=args.huggingface_split,
        prompt_key=args.huggingface_prompt_key,
        response_key=args.huggingface_response_key,
        key_map=key_map,
    )


def _handle(args: argparse.Namespace) -> int:
    from reward_kit.pipeline._preview_report import print_preview
    from reward_kit.pipeline._resolve import find_reward
    from reward_kit.pipeline.preview import (
        PreviewError,
        load_metrics_folders,
        load_preview_samples,
        run_preview,
    )

    huggingface = _huggingface(args)
    if args.samples and huggingface:
        raise PreviewError("give --samples or --huggingface-dataset, not both")
    output = check_output("--output", args.output, "results.jsonl") if args.output else None
    metrics = load_metrics_folders(args.metrics_folders)
    for reference in args.function_ref:
        if reference in metrics:
            raise PreviewError(f"--function-ref {reference}: that name is already a metric")
        metrics[reference] = find_reward(reference, None)
    samples = load_preview_samples(
        args.samples, huggingface=huggingface, max_samples=args.max_samples
    )
    result = run_preview(samples, metrics=metrics, remote_url=args.remote_url, timeout=args.timeout)
    print_preview(result, verbose=args.verbose)
    if output is not None:
        _write(result, output)
    return 0


def _write(result: PreviewResult, output: Path) -> None:
    """Write the rows to ``output`` and the run report of them beside it."""
    from reward_kit.report._report import render_report, write_html

    with replaced_when_complete(output) as handle:
        for row in result.rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"results written to {output}")
    page = render_report(result.rows, result.summary(), title=f"reward-kit preview · {output.stem}")
    print(f"report: {write_html(output.with_suffix('.html'), page)}")
