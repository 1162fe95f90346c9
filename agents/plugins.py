"""Named factories that third-party packages extend through entry points.

Policies (``soar.policies``) and search agents (``soar.agents``) are both found this way. A name
resolves, in order, to a factory registered in this process, an entry point of the group, or a
built-in; a factory is a callable or a ``"module:attribute.path"`` reference, imported only when
it is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any


def load_reference(reference: str) -> Any:
    """The object a ``"module:attribute.path"`` reference names (imports the module)."""
    module_name, _, attribute = reference.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in filter(None, attribute.split(".")):
        obj = getattr(obj, part)
    return obj


def describe(factory: Callable[..., Any] | str) -> str:
    """Where a factory lives, as ``module:qualname``."""
    if isinstance(factory, str):
        return factory
    module, qualname = getattr(factory, "__module__", None), getattr(factory, "__qualname__", None)
    return f"{module}:{qualname}" if module and qualname else repr(factory)


class PluginRegistry:
    """Factories by name for one entry-point ``group``.

    Args:
        group: the entry-point group third-party packages declare.
        built_in: name -> ``"module:attribute"`` of the package's own factories.
        error: the exception raised for an unknown name.
        what: how error messages call the things made (``"policy scheme"``, ``"search agent"``).
    """

    def __init__(
        self, group: str, built_in: dict[str, str], error: type[Exception], what: str
    ) -> None:
        self.group = group
        self.built_in = dict(built_in)
        self.error = error
        self.what = what
        self._registered: dict[str, Callable[..., Any] | str] = {}

    def register(self, name: str, factory: Callable[..., Any] | str) -> None:
        """Use ``factory`` for ``name`` in this process (overrides plug-ins and built-ins)."""
        self._registered[name] = factory

    def available(self) -> dict[str, str]:
        """Every known name and where its factory lives."""
        found = dict(self.built_in)
        found.update({ep.name: ep.value for ep in entry_points(group=self.group)})
        found.update({name: describe(f) for name, f in self._registered.items()})
        return found

    def resolve(self, name: str, context: str = "") -> Callable[..., Any]:
        """The factory for ``name``; ``context`` (e.g. the full spec) goes into the error."""
        factory: Callable[..., Any] | str | None = self._registered.get(name)
        if factory is None:
            plugins = {ep.name: ep for ep in entry_points(group=self.group)}
            factory = plugins[name].load() if name in plugins else self.built_in.get(name)
        if factory is None:
            where = f" in {context!r}" if context else ""
            raise self.error(
                f"unknown {self.what} {name!r}{where}: expected one of "
                f"{', '.join(sorted(self.available()))}"
            )
        return load_reference(factory) if isinstance(factory, str) else factory
