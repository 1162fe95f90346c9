"""Settings dataclasses read from a YAML file with command-line overrides (shared by ``soar run``,
``soar train`` and ``soar improve``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, TypeVar

import yaml

T = TypeVar("T")


def read_yaml(path: str | Path) -> dict[str, Any]:
    """The mapping of settings in the YAML file at ``path`` (empty for an empty file)."""
    try:
        loaded = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ValueError(f"{path}: cannot read the YAML configuration ({err})") from None
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected a mapping of settings, got {type(loaded).__name__}")
    return loaded


def load_settings(cls: type[T], path: str | Path | None, overrides: dict[str, Any]) -> T:
    """``cls`` built from the YAML file at ``path`` (if any), then the ``overrides`` that are not
    None; an unknown setting is a ValueError listing the known ones."""
    values = read_yaml(path) if path is not None else {}
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(
            f"unknown setting(s) {', '.join(unknown)}: expected some of {', '.join(sorted(known))}"
        )
    return cls(**values)
