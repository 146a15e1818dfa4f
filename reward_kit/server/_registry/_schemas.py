"""Request bodies of the Fireworks evaluator API subset the registry implements.

Field names are Fireworks' own (camelCase), so Fireworks' clients and ours speak to the
registry unchanged. Unknown fields that Fireworks accepts (``multiMetrics``, ``rollupSettings``)
are allowed and ignored.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class CodeSnippets(BaseModel):
    """Inline code of one criterion."""

    model_config = ConfigDict(extra="allow")

    language: str = Field(default="python", description="Only 'python' is run.")
    fileContents: dict[str, str] = Field(default_factory=dict, description="File name -> text.")
    entryFile: str | None = Field(default=None, description="File with the function (main.py).")
    entryFunc: str | None = Field(default=None, description="Function name (evaluate).")


class Criterion(BaseModel):
    """One scored aspect: a named piece of code producing a score."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="CODE_SNIPPETS", description="Only CODE_SNIPPETS is supported.")
    name: str = Field(default="", description="Metric name of this criterion.")
    description: str = ""
    codeSnippets: CodeSnippets | None = None


class EvaluatorSpec(BaseModel):
    """The evaluator part of a create or preview request."""

    model_config = ConfigDict(extra="allow")

    displayName: str = ""
    description: str = ""
    criteria: list[Criterion] = Field(default_factory=list)
    requirements: str = Field(default="", description="requirements.txt text.")
    entryPoint: str = Field(default="", description="'path/main.py::evaluate' in an upload.")
    network: bool = Field(
        default=True,
        description="Whether the evaluator's workers may reach the network (reward-kit's "
        "registry only; false: loopback only).",
    )

    def has_code(self) -> bool:
        """True when the code comes inline (``criteria[].codeSnippets.fileContents``)."""
        return any(
            c.codeSnippets is not None and c.codeSnippets.fileContents for c in self.criteria
        )

    def criteria_dicts(self) -> list[dict[str, Any]]:
        """The criteria as plain JSON."""
        return [criterion.model_dump(exclude_none=True) for criterion in self.criteria]


class CreateEvaluatorRequest(BaseModel):
    """``POST .../evaluators`` and ``POST .../evaluatorsV2``."""

    evaluator: EvaluatorSpec
    evaluatorId: str = Field(description="Lower-case letters, digits and '-', at most 63.")


class UploadEndpointRequest(BaseModel):
    """``POST .../evaluators/{id}:getUploadEndpoint``."""

    model_config = ConfigDict(extra="allow")

    filenameToSize: dict[str, int] = Field(description="Archive file name -> size in bytes.")


class PreviewRequest(BaseModel):
    """``POST .../evaluators:previewEvaluator``."""

    evaluator: EvaluatorSpec
    sampleData: list[str] = Field(description="Samples, each one JSON text of a dataset row.")
    maxSamples: int | None = Field(default=None, ge=1)


class SecretRequest(BaseModel):
    """``POST .../secrets``."""

    model_config = ConfigDict(extra="allow")

    name: str | None = None
    keyName: str = Field(description="Environment variable name the evaluator reads.")
    value: str = Field(description="The secret; never returned by the API.")
