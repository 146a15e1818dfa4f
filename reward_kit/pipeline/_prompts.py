"""Building a sample's conversation from a dataset row: system prompt, few-shot, template."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reward_kit._messages import to_messages
from reward_kit.errors import RewardKitError
from reward_kit.pipeline._sources import DatasetError

__all__ = ["PromptBuilder", "RowProblem"]


class RowProblem(RewardKitError):
    """A row cannot become a sample; ``column`` names the culprit (``*`` for the whole row)."""

    def __init__(self, column: str, problem: str) -> None:
        super().__init__(f"column {column!r}: {problem}")
        self.column = column
        self.problem = problem


def _few_shot_messages(examples: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for index, example in enumerate(examples):
        user, assistant = example.get("user"), example.get("assistant")
        if not isinstance(user, str) or not isinstance(assistant, str) or len(example) != 2:
            raise DatasetError(
                f"dataset.few_shot_examples[{index}] must have exactly the string keys "
                f"'user' and 'assistant', got {sorted(example)}"
            )
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return messages


class PromptBuilder:
    """Makes the conversation of each row.

    Args:
        system_prompt: Replaces the row's system message, or is put first when it has none.
        template: Jinja template over the row's columns giving the user message (used when
            the row has no ``messages``); an unknown column in it is a bad row.
        few_shot_examples: ``{"user": ..., "assistant": ...}`` pairs put before the prompt.
        needs_response: The conversation must end with an assistant turn (nothing will be
            generated); otherwise a trailing assistant turn is dropped, as it is regenerated.
    """

    def __init__(
        self,
        *,
        system_prompt: str | None,
        template: str | None,
        few_shot_examples: Sequence[dict[str, Any]],
        needs_response: bool,
    ) -> None:
        self.system_prompt = system_prompt
        self.few_shot = _few_shot_messages(few_shot_examples)
        self.needs_response = needs_response
        self.template = None
        if template is not None:
            import jinja2

            environment = jinja2.Environment(
                undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True
            )
            try:
                self.template = environment.from_string(template)
            except jinja2.TemplateSyntaxError as exc:
                raise DatasetError(f"dataset.prompt_template: line {exc.lineno}: {exc}") from None

    def build(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        """The conversation of ``row`` as OpenAI-style message dicts."""
        messages = self._base_messages(row)
        response = row.get("response")
        if response is not None and (not messages or messages[-1]["role"] != "assistant"):
            if not isinstance(response, str):
                raise RowProblem("response", f"expected text, got {type(response).__name__}")
            messages.append({"role": "assistant", "content": response})
        if self.system_prompt is not None:
            if messages and messages[0]["role"] == "system":
                messages = messages[1:]
            messages.insert(0, {"role": "system", "content": self.system_prompt})
        if self.few_shot:
            start = 1 if messages and messages[0]["role"] == "system" else 0
            messages[start:start] = [dict(message) for message in self.few_shot]
        ends_with_response = messages[-1]["role"] == "assistant"
        if self.needs_response and not ends_with_response:
            raise RowProblem(
                "messages",
                "the conversation does not end with an assistant response to score; map a "
                "response column onto 'response' or enable generation",
            )
        if not self.needs_response and ends_with_response:
            messages.pop()
        return messages

    def _base_messages(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        raw = row.get("messages")
        if raw is not None:
            if not isinstance(raw, list) or not raw:
                raise RowProblem("messages", "expected a non-empty list of messages")
            return [message.to_openai() for message in to_messages(raw)]
        if self.template is not None:
            import jinja2

            try:
                text = self.template.render(**row)
            except jinja2.UndefinedError as exc:
                raise RowProblem("*", f"prompt_template: {exc.message}") from None
            return [{"role": "user", "content": text}]
        query = row.get("user_query")
        if query is None:
            raise RowProblem(
                "messages",
                "the row has neither 'messages' nor 'user_query' (map a column onto one of "
                "them with dataset.column_mapping, or set dataset.prompt_template)",
            )
        if not isinstance(query, str):
            raise RowProblem("user_query", f"expected text, got {type(query).__name__}")
        return [{"role": "user", "content": query}]
