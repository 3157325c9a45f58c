"""The fixture parser's checks: FixtureError and the helpers every service module uses.

Each helper checks one value and raises FixtureError naming the value's
path (``regions.us-east-1.trails[0].name: ...``). The ``key_*`` helpers read a
key of a mapping with the default, choices, pattern or range that
seeding/schema.py gives it.
"""

from __future__ import annotations

import re
from typing import Any

from .schema import UNSET, Shape


class FixtureError(Exception):
    """The fixture is malformed (exit status 2)."""


def _type(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _mapping(value: Any, path: str, required: tuple = (), optional: tuple = ()) -> dict:
    if not isinstance(value, dict):
        raise FixtureError(f"{path}: expected a mapping, got {_type(value)}")
    allowed = required + optional
    for key in value:
        if key not in allowed:
            raise FixtureError(
                f"{path}: unknown key {key!r} (allowed: {', '.join(allowed)})"
            )
    for key in required:
        if key not in value:
            raise FixtureError(f"{path}: missing required key {key!r}")
    return value


def _list(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FixtureError(f"{path}: expected a list, got {_type(value)}")
    return value


def _str(value: Any, path: str, pattern: re.Pattern | None = None) -> str:
    if not isinstance(value, str) or not value:
        hint = " (quote it in YAML)" if isinstance(value, (int, float, bool)) else ""
        raise FixtureError(f"{path}: expected a non-empty string, got {_type(value)}{hint}")
    if pattern and not pattern.match(value):
        raise FixtureError(f"{path}: invalid value {value!r} (must match {pattern.pattern})")
    return value


def _bool(value: Any, path: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise FixtureError(f"{path}: expected true or false, got {value!r}")
    return value


def _int(value: Any, path: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise FixtureError(f"{path}: expected an integer in {lo}..{hi}, got {value!r}")
    return value


def _choice(value: Any, path: str, choices: tuple) -> Any:
    if value not in choices:
        raise FixtureError(f"{path}: expected one of {', '.join(map(str, choices))}, got {value!r}")
    return value


def _tags(value: Any, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FixtureError(f"{path}: expected a mapping of tag keys to values")
    tags = {}
    for key, val in value.items():
        _str(key, f"{path} key")
        if isinstance(val, bool) or not isinstance(val, (str, int)):
            raise FixtureError(f"{path}.{key}: expected a string (quote it in YAML), got {_type(val)}")
        tags[key] = str(val)
    return tags


def _str_map(value: Any, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FixtureError(f"{path}: expected a mapping of names to strings")
    out = {}
    for key, val in value.items():
        _str(key, f"{path} key")
        if not isinstance(val, str):
            raise FixtureError(f"{path}.{key}: expected a string (quote it in YAML), got {_type(val)}")
        out[key] = val
    return out


def _document(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise FixtureError(f"{path}: expected a mapping (a policy document), got {_type(value)}")
    return value


def _unique(names: list[str], path: str, what: str) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise FixtureError(f"{path}: duplicate {what} {name!r}")
        seen.add(name)


# -- keys of a schema shape --


def key_mapping(shape: Shape, value: Any, path: str) -> dict:
    """value as a mapping with exactly the keys shape allows and requires; a
    shape with ``passthrough`` also allows the fields of that AWS API shape
    (checked by seeding/api.py; ``passed_through`` gives them)."""
    if not shape.passthrough:
        return _mapping(value, path, shape.required, shape.optional)
    if not isinstance(value, dict):
        raise FixtureError(f"{path}: expected a mapping, got {_type(value)}")
    from . import api  # botocore: only the seeder's venv has it

    api.fields(shape, value, path)
    for key in shape.required:
        if key not in value:
            raise FixtureError(f"{path}: missing required key {key!r}")
    return value


def passed_through(shape: Shape, spec: dict) -> dict[str, Any]:
    """The keys of spec (checked by key_mapping) that go to the API as they are."""
    own = {key.name for key in shape.keys}
    return {name: value for name, value in spec.items() if name not in own}


def key_bool(shape: Shape, spec: dict, name: str, path: str) -> bool:
    """A flag with a default: absent or null gives the schema's default."""
    return _bool(spec.get(name), f"{path}.{name}", shape.key(name).default)


def key_opt_bool(spec: dict, name: str, path: str) -> bool | None:
    """A flag without a default: None when absent (null counts as false)."""
    return _bool(spec[name], f"{path}.{name}", False) if name in spec else None


def key_choice(shape: Shape, spec: dict, name: str, path: str) -> Any:
    """One of the key's choices; absent gives its default (None without one)."""
    key = shape.key(name)
    if name not in spec:
        return None if key.default is UNSET else key.default
    return _choice(spec[name], f"{path}.{name}", key.choices)


def key_str(shape: Shape, spec: dict, name: str, path: str) -> str | None:
    """A non-empty string matching the key's pattern, if it has one; None when absent."""
    return _str(spec[name], f"{path}.{name}", shape.key(name).pattern) if name in spec else None


def key_int(shape: Shape, spec: dict, name: str, path: str) -> int:
    """An integer in the key's range; absent gives its default."""
    key = shape.key(name)
    lo, hi = key.range
    return _int(spec.get(name, None if key.default is UNSET else key.default), f"{path}.{name}", lo, hi)
