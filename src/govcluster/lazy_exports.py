"""Package attributes imported on first use (PEP 562).

Snakemake reads the workflow before any job starts, and with it light modules of some
packages (the specifications of :mod:`govcluster.panel`, the design of
:mod:`govcluster.study`). Importing a module first runs its package's ``__init__``, which would
otherwise import every module of the package and with them linearmodels and SciPy.
:func:`exported_on_first_use` gives such a package the module-level ``__getattr__`` and
``__dir__`` that import a public name's module when the name is first read, so that
``from govcluster.panel import fit_panel_model`` still works.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def exported_on_first_use(
    namespace: dict[str, Any], public: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose public names load on first use.

    Parameters
    ----------
    namespace : dict
        The package's ``globals()``; a name, once imported, is stored there, so that
        ``__getattr__`` is not called for it again.
    public : mapping
        Public name -> the module that defines it (``{"PanelSpec": "govcluster.panel.spec"}``).

    Returns
    -------
    (__getattr__, __dir__)
        To assign at the package's top level.
    """

    def __getattr__(name: str) -> Any:
        if name in public:
            value = getattr(importlib.import_module(public[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*namespace, *public})

    return __getattr__, __dir__
