"""Fixture keys passed through to an AWS API as they are, checked against botocore's model of it.

A schema shape with ``passthrough`` ("ecs:ContainerDefinition") takes, besides
its own keys, any field of that API shape, spelt as the API spells it
(``linuxParameters``); its value is sent unchanged. So a fixture can set a
field the seeder has never heard of, while a misspelt key, a field of the
wrong type or an unknown nested key is still an error naming its path,
raised before anything is created. botocore (in localstack/.venv, with boto3)
holds the model.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Any

from .schema import Shape
from .validate import FixtureError, _type


@lru_cache(maxsize=None)
def _api_shape(reference: str) -> Any:
    """The botocore shape "service:ShapeName" names."""
    import botocore.session  # the venv's; schema.py itself stays standard library only

    service, name = reference.split(":")
    return botocore.session.get_session().get_service_model(service).shape_for(name)


def _suggestion(key: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    if not close:
        lowered = {candidate.lower(): candidate for candidate in candidates}
        close = [lowered[key.lower()]] if key.lower() in lowered else []
    return f"; did you mean {close[0]!r}?" if close else ""


def fields(shape: Shape, spec: dict, path: str) -> dict[str, Any]:
    """The keys of spec that are not shape's own, each checked as a field of shape.passthrough."""
    own = {key.name for key in shape.keys}
    set_by = {key.api: key.name for key in shape.keys if key.api}
    api = _api_shape(shape.passthrough)
    passed = {}
    for name, value in spec.items():
        if name in own:
            continue
        if name in set_by:
            raise FixtureError(f"{path}: {name!r} is what the seeder's key {set_by[name]!r} sets: give that instead")
        if name not in api.members:
            known = [key.name for key in shape.keys]
            raise FixtureError(
                f"{path}: unknown key {name!r} (allowed: {', '.join(known)}, or a field of "
                f"{shape.passthrough.replace(':', ' ')}{_suggestion(name, known + list(api.members))})"
            )
        check(api.members[name], value, f"{path}.{name}")
        passed[name] = value
    return passed


def check(shape: Any, value: Any, path: str) -> None:
    """value fits the botocore shape: its type, its nested keys, its enum values."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise FixtureError(f"{path}: expected a mapping ({shape.name}), got {_type(value)}")
        for name, item in value.items():
            if name not in shape.members:
                raise FixtureError(
                    f"{path}: unknown key {name!r} (a {shape.name} has: {', '.join(shape.members)}"
                    f"{_suggestion(name, list(shape.members))})"
                )
            check(shape.members[name], item, f"{path}.{name}")
        for name in shape.required_members:
            if name not in value:
                raise FixtureError(f"{path}: missing required key {name!r} (of {shape.name})")
    elif kind == "list":
        if not isinstance(value, list):
            raise FixtureError(f"{path}: expected a list, got {_type(value)}")
        for n, item in enumerate(value):
            check(shape.member, item, f"{path}[{n}]")
    elif kind == "map":
        if not isinstance(value, dict):
            raise FixtureError(f"{path}: expected a mapping, got {_type(value)}")
        for name, item in value.items():
            check(shape.key, name, f"{path} key")
            check(shape.value, item, f"{path}.{name}")
    else:
        _scalar(shape, value, path)


_SCALARS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "boolean": (bool,),
    "blob": (str, bytes),
    "timestamp": (str, int),
}


def _scalar(shape: Any, value: Any, path: str) -> None:
    types = _SCALARS.get(shape.type_name, (object,))
    if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
        hint = " (quote it in YAML)" if shape.type_name == "string" and isinstance(value, (int, float, bool)) else ""
        article = "an" if shape.type_name[0] in "aeiou" else "a"
        raise FixtureError(f"{path}: expected {article} {shape.type_name}, got {_type(value)}{hint}")
    enum = getattr(shape, "enum", None)
    if enum and value not in enum:
        raise FixtureError(f"{path}: expected one of {', '.join(enum)}, got {value!r}")
