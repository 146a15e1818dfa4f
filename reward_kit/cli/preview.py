"""``reward-kit preview``: score samples that already have responses, and show the results."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``preview`` subcommand."""
    parser = subparsers.add_parser(
        "preview",
        help="score samples with metrics folders or a deployed evaluator",
        description=(
            "Score samples ({'messages': [...], 'ground_truth': ...} per JSONL line, such as a "
            "run's preview_input_output_pairs.jsonl) with each metrics folder's "
            "main.py:evaluate, a reward named by --function-ref, or a deployed evaluator; print "
            "a per-sample table and a per-metric summary. A sample that cannot be scored "
            "(including one whose last message is not the assistant's) is shown as ERROR and "
            'written with "score": null.'
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
    parser.add_argument("--max-samples", type=int, metavar="N", help="score only the first N")
    parser.add_argument(
        "--output", metavar="FILE", help="write one JSON line of results per sample"
    )
    parser.add_argument(
        "--remote-url", metavar="URL", help="score with the evaluator at URL (wire format)"
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, metavar="S", help="seconds per sample per reward"
    )
    parser.add_argument(
        "--huggingface-dataset", metavar="NAME", help="read samples from this HuggingFace dataset"
    )
    parser.add_argument(
        "--huggingface-split", default="train", metavar="SPLIT", help="dataset split (train)"
    )
    parser.add_argument(
        "--huggingface-prompt-key", default="prompt", metavar="COLUMN", help="user message column"
    )
    parser.add_argument(
        "--huggingface-response-key",
        default="response",
        metavar="COLUMN",
        help="assistant response column",
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


def _handle(args: argparse.Namespace) -> int:
    from reward_kit.pipeline._preview_report import print_preview
    from reward_kit.pipeline._resolve import find_reward
    from reward_kit.pipeline.preview import (
        HuggingFaceSource,
        PreviewError,
        load_metrics_folders,
        load_preview_samples,
        run_preview,
    )

    huggingface = None
    if args.huggingface_dataset:
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
        huggingface = HuggingFaceSource(
            args.huggingface_dataset,
            split=args.huggingface_split,
            prompt_key=args.huggingface_prompt_key,
            response_key=args.huggingface_response_key,
            key_map=key_map,
        )
    if args.samples and huggingface:
        raise PreviewError("give --samples or --huggingface-dataset, not both")
    if args.output and not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
        raise PreviewError(f"--output {args.output}: its folder does not exist")
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
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            for row in result.rows():
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"results written to {args.output}")
        from reward_kit.report._preview import write_preview_report

        print(f"report: {write_preview_report(result.rows(), args.output)}")
    return 0
