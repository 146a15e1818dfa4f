"""A headless Chromium driven by playwright; the browser tests are skipped without one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.report._runs import chromium_path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium (installed by ``.ci/run``); playwright never downloads a browser.

    Module-scoped: playwright's sync API keeps an event loop marked as running in this thread
    while it is started, which would make ``asyncio.run`` fail in every later test module.
    """
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium found (apt-get install -y chromium); .ci/run installs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that fails the test on any script error or any request off this machine."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"script error: {error}"))

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file://", "http://127.0.0.1", "data:")):
            route.continue_()
        else:
            problems.append(f"network request: {url}")
            route.abort()

    opened.route("**/*", guard)
    yield opened
    context.close()
    assert not problems, problems
