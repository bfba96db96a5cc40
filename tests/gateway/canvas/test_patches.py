"""Patches: their shape, what they touch (prefix-aware, arrays as a whole when their elements
shift) and applying them without changing the input or the recorded operations."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.canvas.patches import (
    PatchFailure,
    apply_ops,
    canonical,
    conflicts,
    parse_patch,
    parse_pointer,
    to_pointer,
    touched,
)


def test_a_token_patch_is_the_same_operations_on_the_tokens_subtree() -> None:
    shorthand = parse_patch(
        "token_patch", {"base_revision": 3, "tokens": {"color.primary": "#fff", "a/b": 1}}
    )
    assert shorthand.ops == (
        {"op": "add", "path": "/tokens/color.primary", "value": "#fff"},
        {"op": "add", "path": "/tokens/a~1b", "value": 1},
    )
    ops = parse_patch(
        "token_patch", {"base_revision": 0, "ops": [{"op": "move", "from": "/x", "path": "/y"}]}
    ).ops
    assert ops == ({"op": "move", "from": "/tokens/x", "path": "/tokens/y"},)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"ops": [{"op": "add", "path": "/a", "value": 1}]}, "base_revision"),
        ({"base_revision": -1, "ops": [{"op": "add", "path": "/a", "value": 1}]}, "base_revision"),
        ({"base_revision": True, "ops": [{"op": "add", "path": "/a", "value": 1}]}, "base_revision"),
        ({"base_revision": 0, "ops": []}, "non-empty"),
        ({"base_revision": 0, "ops": [{"op": "add", "path": "a", "value": 1}]}, "path"),
        ({"base_revision": 0, "ops": [{"op": "add", "path": "/a"}]}, "has a value"),
        ({"base_revision": 0, "ops": [{"op": "copy", "path": "/a"}]}, "from pointer"),
        ({"base_revision": 0, "ops": [{"op": "remove", "path": "/a", "value": 1}]}, "unexpected member"),
        ({"base_revision": 0, "ops": [{"op": "merge", "path": "/a"}]}, "needs an op"),
        ({"base_revision": 0, "title": "x"}, "not 'title'"),
    ],
)
def test_malformed_state_patches_are_refused_with_what_is_wrong(data: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_patch("state_patch", data)


def test_pointers_escape_and_unescape_slashes_and_tildes() -> None:
    assert parse_pointer("/a~1b/c~0d/") == ("a/b", "c~d", "")
    assert to_pointer(("a/b", "c~d", "")) == "/a~1b/c~0d/"
    assert parse_pointer("") == ()


def test_paths_conflict_when_one_is_a_prefix_of_the_other() -> None:
    assert conflicts([("a",)], [("a", "b")]) == [("a",)]
    assert conflicts([("a", "b")], [("a",)]) == [("a", "b")]
    assert conflicts([("a",)], [("ab",)]) == []
    assert conflicts([("a", "b")], [("a", "c")]) == []
    assert conflicts([()], [("anything",)]) == [()]


def test_inserting_into_an_array_touches_the_array_replacing_an_element_only_the_element() -> None:
    state = {"list": [1, 2, 3], "obj": {"k": 1}}
    assert touched(state, [{"op": "add", "path": "/list/0", "value": 0}]) == [("list",)]
    assert touched(state, [{"op": "remove", "path": "/list/2"}]) == [("list",)]
    assert touched(state, [{"op": "add", "path": "/list/-", "value": 4}]) == [("list",)]
    assert touched(state, [{"op": "replace", "path": "/list/1", "value": 9}]) == [("list", "1")]
    assert touched(state, [{"op": "add", "path": "/obj/j", "value": 2}]) == [("obj", "j")]
    # A test or a copy reads its source: a commit that changed it makes the patch stale.
    assert touched(state, [{"op": "copy", "from": "/obj/k", "path": "/obj/m"}]) == [
        ("obj", "m"),
        ("obj", "k"),
    ]
    assert touched(state, [{"op": "test", "path": "/obj/k", "value": 1}]) == [("obj", "k")]


def test_apply_leaves_the_input_and_the_operations_unchanged() -> None:
    state = {"a": {}}
    ops = [{"op": "add", "path": "/a/x", "value": {"n": 1}}, {"op": "add", "path": "/a/x/m", "value": 2}]
    applied = apply_ops(state, ops)
    assert applied.state == {"a": {"x": {"n": 1, "m": 2}}}
    assert state == {"a": {}}
    assert ops[0]["value"] == {"n": 1}  # the commit records what was sent, not what it became
    assert applied.writes == (("a", "x"), ("a", "x", "m"))


def test_a_failing_operation_is_named_and_a_failed_test_says_so() -> None:
    with pytest.raises(PatchFailure) as missing:
        apply_ops({"a": 1}, [{"op": "add", "path": "/a", "value": 2}, {"op": "remove", "path": "/b"}])
    assert missing.value.index == 1 and not missing.value.test
    with pytest.raises(PatchFailure) as failed:
        apply_ops({"a": 1}, [{"op": "test", "path": "/a", "value": 2}])
    assert failed.value.test


def test_the_canonical_text_sorts_keys_and_keeps_unicode() -> None:
    assert canonical({"b": 1, "a": ["é", 1.5]}) == '{"a":["é",1.5],"b":1}'
