"""Public names imported on first use (PEP 562), the one hook every lazy package shares.

``import bpengine`` must stay cheap and a plain ``simulate`` must not pay for the engine's
database stack or the report's before/after machinery, so :mod:`bpengine`,
:mod:`bpengine.report` and :mod:`bpengine.reengineer` list their public names with the module
that defines each and import it when the name is first read. A base module: it imports
nothing from bpengine, so any layer may use it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    namespace: dict[str, Any],
    names: Mapping[str, str],
    *,
    subpackages: Collection[str] = (),
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of a package whose names load on use.

    Parameters
    ----------
    namespace : dict
        The package's ``globals()``; a name, once imported, is stored there so the hook runs
        once per name.
    names : mapping of str to str
        Public name -> module defining it, absolute (``"bpengine.sim"``) or relative to the
        package (``".plots"``).
    subpackages : collection of str
        Subpackages returned themselves on first use (``bpengine.redesign``).

    Returns
    -------
    (callable, callable)
        Assign them to ``__getattr__`` and ``__dir__`` in the package.

    Examples
    --------
    >>> ns = {"__name__": "demo", "__all__": ["dumps"]}
    >>> getattr_, dir_ = lazy_exports(ns, {"dumps": "json"})
    >>> getattr_("dumps")("x"), "dumps" in ns, dir_()
    ('"x"', True, ['dumps'])
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            if name in subpackages:  # ``bpengine.redesign`` etc.: the package, imported on use
                return importlib.import_module(f"{package}.{name}")
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(namespace["__all__"])

    return __getattr__, __dir__
