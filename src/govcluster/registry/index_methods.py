"""Registry of the methods that combine a construct's indicators into one index.

Each :class:`IndexMethodEntry` points at a public function of :mod:`govcluster.indices`
(``entropy_index``, ``pca_index``, ``zscore_index``) and at the function giving the weights
that are reported with it. ``indices.method`` of the configuration names an entry;
:func:`govcluster.indices.construct_index` looks it up here. The built-in methods are
registered at the end of :mod:`govcluster.indices`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from govcluster.errors import ConfigError

IndexFunction = Callable[[pd.DataFrame, Mapping[str, int]], pd.Series]


@dataclass(frozen=True)
class IndexMethodEntry:
    """One way of building a composite index.

    Attributes
    ----------
    name : str
        The value of ``indices.method`` that selects it.
    index : callable
        ``index(indicators, directions) -> Series``: the index, one value per row.
    weights : callable
        ``weights(indicators, directions) -> Series``: the weight of each indicator (named
        ``weight``, indexed by indicator), written to ``index_weights.csv``.
    description : str
        One line for the documentation.
    """

    name: str
    index: IndexFunction
    weights: IndexFunction
    description: str


#: Registered index methods, by name, in registration order.
INDEX_METHODS: dict[str, IndexMethodEntry] = {}


def register_index_method(entry: IndexMethodEntry) -> IndexMethodEntry:
    """Add ``entry`` to :data:`INDEX_METHODS` (a name may be registered once)."""
    if entry.name in INDEX_METHODS and INDEX_METHODS[entry.name] != entry:
        raise ValueError(f"an index method called {entry.name!r} is already registered")
    INDEX_METHODS[entry.name] = entry
    return entry


def index_method(name: str) -> IndexMethodEntry:
    """The registered method called ``name``.

    Raises
    ------
    ConfigError
        If no method of that name is registered (names the key and the known methods).
    """
    import govcluster.indices  # noqa: F401  (registers the built-in methods)

    if name not in INDEX_METHODS:
        raise ConfigError(
            f"indices.method is {name!r}, which is not an index method; use one of "
            f"{', '.join(INDEX_METHODS)} (config/config.yaml)."
        )
    return INDEX_METHODS[name]
