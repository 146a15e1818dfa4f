"""The OpenAPI documents in docs/ match what the servers serve."""

from __future__ import annotations

from pathlib import Path

from reward_kit.server._openapi import documents

ROOT = Path(__file__).resolve().parents[2]


def test_checked_in_openapi_documents_are_current() -> None:
    for path, text in documents().items():
        assert (ROOT / path).read_text() == text, (
            f"{path} is out of date: run python scripts/generate_openapi.py"
        )


def test_documents_describe_the_wire_format_and_the_registry() -> None:
    texts = documents()
    serve = texts["docs/openapi-serve.json"]
    registry = texts["docs/openapi-registry.json"]
    assert '"/evaluate"' in serve and '"EvaluationRequest"' in serve
    for path in (":getUploadEndpoint", ":validateUpload", ":previewEvaluator", ":evaluate"):
        assert path in registry
