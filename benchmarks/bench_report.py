"""How a 100k-row report is built, how big it is, and how fast it opens and filters in Chromium.

Writes a run directory of N result rows (each a short system/user/assistant conversation with
reasoning, two metrics; 5% scoring errors, 1% generation failures), then reports:

- ``write_report`` (HTML only, no PNG) against a baseline measured in the same run: reading and
  parsing the same ``results.jsonl`` with ``json.loads`` (the floor of any report from rows);
- the size of ``report.html`` against the size of ``results.jsonl``;
- in headless Chromium, from ``file://``: the time until the page is drawn (cards, charts and
  the first table page; the rows' full JSON, placed after the script, is still being read),
  the time until it is fully read (the "load" event), then the time of each filter (errors
  only, a score range, a text search over every row, sorting by score) and of opening one
  sample; target: open and filter in under 2 s each. The same steps on a 1,000-row report
  are the baseline, so the table shows how the times grow with the run.

Times are not asserted anywhere: this is a measurement.

    PYTHONPATH=. python benchmarks/bench_report.py                 # 100,000 rows
    PYTHONPATH=. python benchmarks/bench_report.py --rows 20000    # quick
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from reward_kit.pipeline.summary import summarize
from reward_kit.report import write_report

_BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
_WORDS = ("the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with",
          "be", "by", "on", "not", "he", "this", "are", "or")  # fmt: skip


def _row(index: int) -> dict[str, Any]:
    text = " ".join(_WORDS[(index * 7 + k) % len(_WORDS)] for k in range(40))
    row: dict[str, Any] = {
        "id": f"sample-{index:06d}",
        "variant": 0,
        "messages": [
            {"role": "system", "content": "Solve the problem; answer in \\boxed{}."},
            {"role": "user", "content": f"Problem {index}: {text}?"},
            {
                "role": "assistant",
                "content": f"Working: {text}. \\boxed{{{index % 97}}}",
                "reasoning_content": f"first {text[:80]}",
            },
        ],
        "ground_truth": str(index % 89),
        "generation": None,
    }
    if index % 100 == 7:
        row |= {"score": None, "is_score_valid": False, "reason": None, "metrics": {}}
        row["error"] = "generation failed: HTTP 503 from the model server"
        row["generation"] = {"model": "m", "error": "HTTP 503 from the model server"}
    elif index % 20 == 3:
        row |= {"score": None, "is_score_valid": False, "reason": None, "metrics": {}}
        row["error"] = f"reward timed out after {5 + index % 3} s"
    else:
        score = float(index % 97 == index % 89)
        row |= {"score": score, "is_score_valid": True, "reason": f"answer {index % 97}"}
        row["metrics"] = {
            "accuracy": {"score": score, "is_score_valid": True, "reason": "compared"},
            "format": {"score": (index % 10) / 10, "is_score_valid": True, "reason": "boxed"},
        }
        row["error"] = None
    return row


def make_run(folder: Path, count: int) -> Path:
    """A run directory of ``count`` rows with its summary."""
    folder.mkdir(parents=True)
    rows = [_row(index) for index in range(count)]
    with (folder / "results.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    summary = summarize(rows) | {"run_dir": str(folder)}
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return folder


def _timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def browse(report: Path, executable: str) -> dict[str, float]:
    """Seconds to open the page and to run each filter, measured in headless Chromium."""
    from playwright.sync_api import sync_playwright

    times: dict[str, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=_BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        # Open: until the cards, charts and first table page are drawn (not until the browser
        # has read the rows' full JSON after them, which the page waits for only when needed).
        started = time.perf_counter()
        page.goto(report.as_uri(), timeout=120_000, wait_until="commit")
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        times["open (drawn)"] = time.perf_counter() - started
        page.wait_for_load_state("load", timeout=120_000)
        times["fully read"] = time.perf_counter() - started

        def step(name: str, script: str) -> None:
            # Each step ends when the table has been redrawn (a search may first wait for the
            # rows' JSON), or at once for a step that draws no table (opening a sample).
            wrapped = f"""() => new Promise(done => {{
                const before = rk.state.drawn;
                ({script})();
                const check = () => rk.state.drawn > before ? done() : setTimeout(check, 2);
                {"done()" if name == "open a sample" else "check()"};
            }})"""
            times[name] = _timed(lambda: page.evaluate(wrapped))

        step("errors only", "() => { const box = document.getElementById('f-errors');"
             " box.checked = true; rk.applyFilters(); }")  # fmt: skip
        step("clear", "() => { document.getElementById('f-errors').checked = false;"
             " rk.applyFilters(); }")  # fmt: skip
        step("score 0.5..1", "() => { document.getElementById('f-min').value = '0.5';"
             " rk.applyFilters(); }")  # fmt: skip
        step("text search (first)", "() => { document.getElementById('f-min').value = '';"
             " document.getElementById('f-search').value = 'problem 4242:';"
             " rk.applyFilters(); }")  # fmt: skip
        step("text search (again)", "() => { document.getElementById('f-search').value ="
             " 'timed out after 6'; rk.applyFilters(); }")  # fmt: skip
        step("sort by score", "() => { document.getElementById('f-search').value = '';"
             " document.querySelector(\"th[data-key='score']\").click(); }")  # fmt: skip
        step("open a sample", "() => rk.openSample(12345 % rk.state.shown.length)")
        browser.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the big run")
    parser.add_argument("--baseline-rows", type=int, default=1_000, help="rows in the small run")
    parser.add_argument("--chromium", default=shutil.which("chromium"), help="Chromium binary")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        big = make_run(root / "big", args.rows)
        small = make_run(root / "small", args.baseline_rows)
        results = big / "results.jsonl"
        parse = _timed(lambda: [json.loads(line) for line in results.open(encoding="utf-8")])
        build = _timed(lambda: write_report(big, plots=False))
        write_report(small, plots=False)
        report = big / "report.html"
        print(f"rows: {args.rows:,}")
        print(f"write_report: {build:.2f} s; parsing results.jsonl alone: {parse:.2f} s "
              f"(ratio {build / parse:.1f}x)")  # fmt: skip
        print(f"report.html: {report.stat().st_size / 1e6:.1f} MB; results.jsonl: "
              f"{results.stat().st_size / 1e6:.1f} MB")  # fmt: skip
        if not args.chromium:
            print("no Chromium found: browser times skipped (apt-get install -y chromium)")
            return 0
        small_times = browse(small / "report.html", args.chromium)
        big_times = browse(report, args.chromium)
        print(f"\n{'step':<22}{args.baseline_rows:>10,} rows{args.rows:>12,} rows   under 2 s")
        for name, seconds in big_times.items():
            verdict = "yes" if seconds < 2 else "NO"
            print(f"{name:<22}{small_times[name]:>13.3f} s{seconds:>13.3f} s   {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
