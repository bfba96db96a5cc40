"""A sample muscle for the sentinel's golden tests: text stats over a tiny in-memory store."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from core.contract import CanvasTool, Muscle, ToolExample, tool
from core.errors import InvalidInput, NotFound
from core.progress import Progress
from core.scope import Scope


class Counts(BaseModel):
    """Counts of one text."""

    words: int = Field(description="Whitespace-separated words")
    characters: int
    unit: Literal["words", "characters"] = "words"


class WordCounter(Muscle):
    """Counts words and characters in short texts.

    Use it when an agent needs exact counts rather than an estimate.
    """

    version = "2.1.0"
    capabilities = ("cap.text.count",)
    canvas_tools = (CanvasTool(id="count_words", icon="hash", type="trigger", tool="count", action="Count"),)

    @tool(
        title="Count words",
        examples=[
            ToolExample(
                title="Two words",
                request={"text": "hello world"},
                response={"words": 2, "characters": 11, "unit": "words"},
            )
        ],
        errors=[InvalidInput],
        read_only=True,
        idempotent=True,
    )
    async def count(
        self, text: str, progress: Progress, unit: Literal["words", "characters"] = "words"
    ) -> Counts:
        """Count the words and characters of `text`.

        Empty text is refused: there is nothing to count.
        """
        if not text:
            raise InvalidInput("text is empty", value=text)
        await progress.report(1.0, "counted")
        return Counts(words=len(text.split()), characters=len(text), unit=unit)

    @tool(errors=[NotFound])
    def whoami(self, scope: Scope) -> str:
        """Return the tenant the call acts for."""
        return scope.tenant_id
