"""Filling the page templates: inline CSS, inline JS and JSON data blocks, no network.

The templates in ``static/`` hold ``{{name}}`` markers. JSON is embedded in
``<script type="application/json">`` blocks, with ``<`` escaped so that no string in the data
can close the block.
"""

from __future__ import annotations

import json
import re
from functools import cache
from html import escape
from importlib import resources
from typing import Any

__all__ = ["json_block", "render_page"]


@cache
def _static(name: str) -> str:
    return resources.files(__package__).joinpath(f"static/{name}").read_text(encoding="utf-8")


def json_block(block_id: str, value: Any) -> str:
    """``value`` as an inline JSON script block that the page reads with ``JSON.parse``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    text = text.replace("<", "\\u003c")  # only strings can hold "<" in JSON
    return f'<script type="application/json" id="{block_id}">{text}</script>'


def render_page(
    template: str, *, title: str, scripts: list[str], blocks: list[str], details: str = ""
) -> str:
    """The page ``template`` with the shared CSS, the given scripts and the data blocks inlined.

    Args:
        template: File name of the template in ``static/``.
        title: Text of the page's ``<title>``.
        scripts: File names in ``static/`` to inline, in order.
        blocks: Data blocks from :func:`json_block`, read when the page opens.
        details: A data block placed after the scripts, so that the page is drawn before the
            browser has read it (the scripts wait for it when they need it).
    """
    code = "\n".join(_static(name) for name in scripts).replace("</script", "<\\/script")
    values = {
        "title": escape(title),
        "style": _static("report.css"),
        "script": code,
        "data": "\n".join(blocks),
        "details": details,
    }
    # One pass over the template, so that marker-like text in the data is never substituted.
    return re.sub(r"\{\{(\w+)\}\}", lambda match: values[match.group(1)], _static(template))
