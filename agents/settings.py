"""Settings dataclasses: read from a YAML file with command-line overrides, and checked.

Shared by every configuration a user writes (``soar run``, ``soar train``, ``soar improve``, the
sampling, agent and policy settings): an unknown setting, a value of the wrong type or out of range
is an :class:`~soar.arc_env.error.InputError` whose message names the setting and says what was
expected, raised before anything is written.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml
from soar.arc_env.error import InputError

T = TypeVar("T")


class ConfigError(InputError):
    """A configuration file or setting that is not what was expected."""


def read_yaml(path: str | Path) -> dict[str, Any]:
    """The mapping of settings in the YAML file at ``path`` (empty for an empty file)."""
    try:
        loaded = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: cannot read the YAML configuration ({err})") from None
    if not isinstance(loaded, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(loaded).__name__}")
    return loaded


def load_settings(cls: type[T], path: str | Path | None, overrides: dict[str, Any]) -> T:
    """``cls`` built from the YAML file at ``path`` (if any), then the ``overrides`` that are not
    None; an unknown setting is a :class:`ConfigError` listing the known ones."""
    values = read_yaml(path) if path is not None else {}
    values.update({k: v for k, v in overrides.items() if v is not None})
    check_names(cls, values, ConfigError)
    return cls(**values)


def check_names(cls: type, values: typing.Mapping[str, Any], error: type[Exception]) -> None:
    """Raise ``error`` when ``values`` names a field the dataclass ``cls`` does not have."""
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise error(
            f"unknown setting(s) {', '.join(unknown)}: expected some of {', '.join(sorted(known))}"
        )


def check_types(config: object, error: type[Exception] = ConfigError) -> None:
    """Raise ``error`` when a field of the dataclass instance ``config`` has the wrong type.

    Checks the plain annotations (``int``, ``float``, ``bool``, ``str``, ``dict``, ``list`` and
    their unions with ``None``); other annotations are left to the class. An ``int`` is a valid
    ``float``; a ``bool`` is not a number.

    >>> @dataclasses.dataclass
    ... class Example:
    ...     temperature: float = 1.0
    ...     seed: int | None = None
    >>> check_types(Example(temperature="abc"))
    Traceback (most recent call last):
    ...
    soar.agents.settings.ConfigError: temperature: expected a number, got 'abc'
    >>> check_types(Example(temperature=1, seed=None))
    """
    hints = _hints(type(config))
    for f in dataclasses.fields(config):  # type: ignore[arg-type]
        allowed = hints.get(f.name)
        if allowed is None:
            continue
        value = getattr(config, f.name)
        if not any(_is(value, kind) for kind in allowed):
            expected = " or ".join(dict.fromkeys(_NAMES[kind] for kind in allowed))
            raise error(f"{f.name}: expected {expected}, got {value!r}")


_NAMES = {
    int: "an integer",
    float: "a number",
    bool: "true or false",
    str: "a text",
    dict: "a mapping",
    list: "a list",
    type(None): "nothing (null)",
}


def _is(value: object, kind: type) -> bool:
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is list:
        return isinstance(value, list | tuple)
    return isinstance(value, kind)


@functools.cache
def _hints(cls: type) -> dict[str, tuple[type, ...]]:
    """Per field, the plain types its annotation allows; fields with other annotations omitted."""
    found: dict[str, tuple[type, ...]] = {}
    for name, hint in typing.get_type_hints(cls).items():
        parts = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        kinds = tuple(typing.get_origin(p) or p for p in parts)
        if all(k in _NAMES for k in kinds):
            found[name] = kinds
    return found
