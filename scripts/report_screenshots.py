"""Screenshots of the report and comparison pages for docs/viewer.md, from the bundled examples.

Runs the math example offline twice (``math_reward``, then the mean of ``math_reward`` and
``format_reward`` on the same samples), writes each run's report and their comparison, and
photographs them in headless Chromium (Debian's ``chromium``; playwright never downloads a
browser).

    PYTHONPATH=. python scripts/report_screenshots.py               # -> docs/images/viewer-*.png
    PYTHONPATH=. python scripts/report_screenshots.py --out /tmp/shots
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from reward_kit.report import compare_runs, render_comparison

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ("viewer-report.png", "viewer-sample.png", "viewer-filter.png", "viewer-compare.png")
_EXAMPLE = ["--config-path", "examples/math_example/conf", "--config-name", "run_math_eval"]


def _run(run_dir: Path, *overrides: str) -> Path:
    command = [sys.executable, "-m", "reward_kit", "run", *_EXAMPLE, "generation.enabled=false"]
    subprocess.run(
        [*command, f"hydra.run.dir={run_dir}", *overrides],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return run_dir


def _ready(page: object, path: Path) -> None:
    page.goto(path.as_uri())  # type: ignore[attr-defined]
    page.wait_for_selector("body[data-ready='1']")  # type: ignore[attr-defined]


def take(out: Path, chromium: str) -> list[Path]:
    """Write the screenshots into ``out``; returns their paths."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        first = _run(Path(temporary) / "math_reward")
        second = _run(
            Path(temporary) / "math_and_format",
            "reward.function_path=null",
            "rewards=[{function_path:math_reward},{function_path:format_reward}]",
        )
        comparison = Path(temporary) / "compare.html"
        comparison.write_text(render_comparison(compare_runs(first, second)), encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            _ready(page, first / "report.html")
            page.screenshot(path=str(out / "viewer-report.png"), full_page=True)
            page.click("th[data-key='score']")
            page.click("#rows tr >> nth=0")
            page.screenshot(path=str(out / "viewer-sample.png"))
            page.keyboard.press("Escape")
            page.fill("#f-max", "0")
            page.dispatch_event("#f-max", "change")
            page.locator("#f-max").scroll_into_view_if_needed()
            page.screenshot(path=str(out / "viewer-filter.png"))
            _ready(page, comparison)
            page.screenshot(path=str(out / "viewer-compare.png"), full_page=True)
            browser.close()
    return [out / name for name in SCREENSHOTS]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--chromium", default=shutil.which("chromium"), help="Chromium binary")
    args = parser.parse_args()
    if not args.chromium:
        print("no Chromium found: apt-get install -y chromium", file=sys.stderr)
        return 1
    for path in take(args.out, args.chromium):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
