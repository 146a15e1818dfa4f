"""Write the servers' OpenAPI documents into docs/ (run from the repository root)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reward_kit.server._openapi import documents

if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    for path, text in documents().items():
        (root / path).write_text(text)
        print(f"wrote {path}")
