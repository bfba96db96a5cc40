"""Canvas types: each registers a JSON Schema for its state, and the state it starts with.

The schemas are the JSON files in ``schemas/``: a file with a top-level ``default`` is a canvas
type (named by its ``title``; the default is its initial state), the others are shared parts it
references (``common.schema.json``; ``timeline.schema.json``, written from video_timeline's
Timeline model by ``scripts/gen_canvas_schemas.py`` and checked against the model by a test,
since the gateway may not import muscles). References resolve only among these files: nothing
is fetched.

A state that breaks its type's schema is refused (422 ``state_invalid``) naming the path in the
state and the rule (the schema keyword) it breaks.

Every commit validates the whole new state, so the references are resolved once, at load: each
``$ref`` is replaced by what it points to (a recursive reference is left to the registry). That
makes validation several times cheaper than resolving URIs on every check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from gateway.canvas.patches import parse_pointer, to_pointer
from gateway.errors import StateInvalid, UnknownCanvasType

__all__ = ["GENERIC", "SCHEMA_DIR", "CanvasType", "CanvasTypes"]

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
BASE_URI = "https://schemas.atoms.invalid/canvas/"
GENERIC = "generic"
_MAX_MESSAGE = 300


@dataclass(frozen=True)
class CanvasType:
    name: str
    schema: dict[str, Any]
    initial: dict[str, Any]
    validator: Draft202012Validator

    def check(self, state: Any) -> None:
        """Raise StateInvalid naming the first broken rule's path and keyword."""
        error = best_match(self.validator.iter_errors(state))
        if error is None:
            return
        path = to_pointer(str(part) for part in error.absolute_path)
        rule = str(error.validator)
        message = error.message if len(error.message) <= _MAX_MESSAGE else error.message[:_MAX_MESSAGE] + "…"
        raise StateInvalid(
            f"the {self.name} state would break its schema at {path or '/'} ({rule}): {message}",
            value=path or "/",
            details={
                "path": path,
                "rule": rule,
                "schema_path": "/" + "/".join(str(p) for p in error.absolute_schema_path),
            },
        )


def _inline(node: Any, base: str, documents: Mapping[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """``node`` with its ``$ref``s replaced by their targets (siblings kept beside them in an
    allOf); ``base`` is the URI its relative references resolve against."""
    if isinstance(node, list):
        return [_inline(item, base, documents, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        target_uri = urljoin(base, ref)
        if target_uri in seen:
            return {**node, "$ref": target_uri}  # recursive: the registry resolves it when validating
        document_uri, _, fragment = target_uri.partition("#")
        target: Any = documents[document_uri]
        for part in parse_pointer(fragment):
            target = target[int(part)] if isinstance(target, list) else target[part]
        inlined = _inline(target, document_uri, documents, (*seen, target_uri))
        rest = {k: _inline(v, base, documents, seen) for k, v in node.items() if k != "$ref"}
        return inlined if not rest else {"allOf": [inlined], **rest}
    return {k: v if k in ("$defs", "default") else _inline(v, base, documents, seen) for k, v in node.items()}


class CanvasTypes:
    """The registered canvas types, loaded once from ``directory``."""

    def __init__(self, directory: Path = SCHEMA_DIR) -> None:
        documents = {
            path.name: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(directory.glob("*.schema.json"))
        }
        registry: Registry[Any] = Registry().with_resources(
            (BASE_URI + name, Resource.from_contents(doc, default_specification=DRAFT202012))
            for name, doc in documents.items()
        )
        self._types: dict[str, CanvasType] = {}
        for name, doc in documents.items():
            if "default" not in doc:
                continue
            Draft202012Validator.check_schema(doc)
            schema = {"$id": BASE_URI + name, **doc}
            by_uri = {BASE_URI + n: d for n, d in documents.items()}
            inlined = _inline(schema, BASE_URI + name, by_uri)
            validator = Draft202012Validator(inlined, registry=registry)
            canvas_type = CanvasType(str(doc["title"]), schema, doc["default"], validator)
            canvas_type.check(canvas_type.initial)  # a type that cannot hold its own start is a bug
            self._types[canvas_type.name] = canvas_type

    def names(self) -> list[str]:
        return sorted(self._types)

    def get(self, name: str) -> CanvasType:
        found = self._types.get(name)
        if found is None:
            raise UnknownCanvasType(
                f"no canvas type {name!r}; registered: {', '.join(self.names())}", value=name
            )
        return found

    def schemas(self) -> Mapping[str, dict[str, Any]]:
        return {name: t.schema for name, t in self._types.items()}
