"""Modules that load on first use, so that a rendering job imports only what it needs.

A job that renders tables need not import matplotlib, nor one that renders panel exhibits the
mediation estimators. :func:`lazy_module` returns the module object at once (registered in
``sys.modules``, so every later import gets the same object) and runs its code the first time
one of its attributes is read (:class:`importlib.util.LazyLoader`).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """The module ``name``, executed when one of its attributes is first read.

    Parameters
    ----------
    name : str
        Full name of a module (``"govcluster.render.panel_figures"``).

    Returns
    -------
    module
        The module already imported, if it is; otherwise a lazily loading one.

    Raises
    ------
    ModuleNotFoundError
        If no module ``name`` exists (checked at once, not at first use).
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
