"""Convert APPS-style problems (``codeparrot/apps`` or a local file) into prompt rows.

Each output line is a dataset row ``reward-kit run`` reads: ``{"id", "user_query",
"ground_truth"}``, where ``ground_truth`` is APPS' ``input_output`` parsed from its JSON string
(``{"inputs": [...], "outputs": [...]}``, or ``fn_name`` for call-based problems), as
``evaluate_apps_solution`` expects. Rows without tests are skipped and counted.

``--dataset_name`` is a Hugging Face dataset id or a local ``.jsonl``/``.json`` file (read
offline). Example, from the repository root::

    python scripts/convert_apps_to_prompts.py --dataset_name codeparrot/apps --split test \\
        --output_file development/apps_sample_prompts.jsonl --max_samples 5 \\
        --id_column problem_id --query_column question --ground_truth_column input_output
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def load_rows(dataset_name: str, split: str) -> Iterable[dict[str, Any]]:
    """The dataset's rows: a local JSON Lines/JSON file, else a Hugging Face dataset."""
    from datasets import load_dataset

    if Path(dataset_name).suffix in (".jsonl", ".json") and Path(dataset_name).is_file():
        return load_dataset("json", data_files=dataset_name, split="train")  # type: ignore[no-any-return]
    return load_dataset(dataset_name, split=split)  # type: ignore[no-any-return]


def convert(
    rows: Iterable[dict[str, Any]],
    *,
    id_column: str,
    query_column: str,
    ground_truth_column: str,
    max_samples: int | None,
    skipped: list[str],
) -> Iterator[dict[str, Any]]:
    """Prompt rows from APPS rows; ids of rows without usable tests go to ``skipped``."""
    written = 0
    for row in rows:
        if max_samples is not None and written >= max_samples:
            return
        tests = row.get(ground_truth_column)
        if isinstance(tests, str):
            try:
                tests = json.loads(tests) if tests.strip() else None
            except json.JSONDecodeError:
                tests = None
        if not isinstance(tests, dict) or not tests.get("inputs"):
            skipped.append(str(row.get(id_column)))
            continue
        yield {"id": str(row[id_column]), "user_query": row[query_column], "ground_truth": tests}
        written += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset_name", default="codeparrot/apps", help="(codeparrot/apps)")
    parser.add_argument("--split", default="test", help="(test)")
    parser.add_argument("--output_file", required=True, help="JSON Lines file to write")
    parser.add_argument("--max_samples", type=int, help="write at most N rows (default: all)")
    parser.add_argument("--id_column", default="problem_id", help="(problem_id)")
    parser.add_argument("--query_column", default="question", help="(question)")
    parser.add_argument("--ground_truth_column", default="input_output", help="(input_output)")
    args = parser.parse_args(argv)

    skipped: list[str] = []
    rows = convert(
        load_rows(args.dataset_name, args.split),
        id_column=args.id_column,
        query_column=args.query_column,
        ground_truth_column=args.ground_truth_column,
        max_samples=args.max_samples,
        skipped=skipped,
    )
    output = Path(args.output_file)
    output.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with output.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
            count += 1
    note = f" (skipped {len(skipped)} without tests: {', '.join(skipped[:5])})" if skipped else ""
    print(f"wrote {count} prompts to {output}{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
