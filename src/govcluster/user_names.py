"""The user's names for the entity and the time, wherever a user reads them.

Inside the pipeline the entity column is always ``cluster_id`` and the time column ``year``
(:mod:`govcluster.columns`): every stage relies on it. What a user reads keeps the names of
the user's own file instead: error messages and warnings ("firm_id=F0012, fyear=2003"),
the records under ``results/data_quality/`` (the columns of ``cleaning_audit.csv``,
``panel_balance.csv``, ``missingness_by_year.csv`` and the tables of ``data_quality.md``) and
the words of their sentences ("each firm may have one row per year"). :class:`UserNames`
holds these names, built once from the configuration by :func:`user_names`; its
:meth:`~UserNames.to_user` and :meth:`~UserNames.to_canonical` rename a table at the
boundary, and its :meth:`~UserNames.to_dict` is the ``columns`` field of the JSON records, so
that a reader can map a record back.

With the default configuration (``data.entity: cluster_id``, ``data.time: year``, no
``data.entity_label``) every name is the pipeline's own and nothing a user reads changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from govcluster.columns import ENTITY, TIME

if TYPE_CHECKING:
    from govcluster.config import ProjectConfig

#: Record column of the entity when ``data.entity`` is null (each file row is an entity).
ROW_ENTITY = "entity"

#: Record column of the time when ``data.time`` is null (a cross-section: one period).
SINGLE_PERIOD = "period"

#: ``data.time_kind`` -> the word for one period in messages.
TIME_NOUNS: dict[str, str] = {
    "year": "year",
    "period": "period",
    "quarter": "quarter",
    "month": "month",
}


def english_plural(noun: str) -> str:
    """A regular English plural: firm -> firms, city -> cities, business -> businesses."""
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


@dataclass(frozen=True)
class UserNames:
    """How a user calls the entity and the time.

    Attributes
    ----------
    entity, time : str
        The entity and time columns as named in the user's file (``data.entity``,
        ``data.time``): the column names of the records. Without an entity column each file
        row is an entity (``"entity"``); without a time column the data are a cross-section
        (``"period"``).
    entity_noun, entity_plural : str
        One entity and several in sentences (``data.entity_label.en``; default cluster,
        clusters).
    time_noun : str
        One period in sentences: year, or period, quarter or month (``data.time_kind``).
    """

    entity: str = ENTITY
    time: str = TIME
    entity_noun: str = "cluster"
    entity_plural: str = "clusters"
    time_noun: str = "year"

    @property
    def time_plural(self) -> str:
        """Several periods in sentences (years, periods, ...)."""
        return english_plural(self.time_noun)

    @property
    def entity_slug(self) -> str:
        """The entity noun as part of a column name ("cluster", "business_group")."""
        return re.sub(r"\W+", "_", self.entity_noun.strip()).strip("_").lower() or "entity"

    @property
    def renames(self) -> dict[str, str]:
        """Canonical column -> the user's name, for the entity and the time."""
        return {ENTITY: self.entity, TIME: self.time}

    def user_column(self, canonical: str) -> str:
        """The user's name of a canonical column (other names are returned as they are)."""
        return self.renames.get(canonical, canonical)

    def to_user(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` with its entity and time columns named as in the user's file.

        A user's name that another column of ``table`` already has is not used: that column
        keeps its canonical name, so that no two columns share a name.
        """
        return _rename(table, self.renames)

    def to_canonical(self, table: pd.DataFrame) -> pd.DataFrame:
        """The inverse of :meth:`to_user`: the entity and time columns named canonically."""
        return _rename(table, {user: canonical for canonical, user in self.renames.items()})

    def usable(self, table: pd.DataFrame) -> UserNames:
        """These names, or the pipeline's entity and time names if ``table`` cannot take them.

        A user's name that another column of ``table`` already has (a variable called
        ``firm_id`` besides the entity) is not used by :meth:`to_user`; an estimation on
        ``table`` then keeps the pipeline's names of the identifiers (the words stay).
        """
        renamed = self.to_user(table.iloc[:0])
        if self.entity in renamed.columns and self.time in renamed.columns:
            return self
        return UserNames(ENTITY, TIME, self.entity_noun, self.entity_plural, self.time_noun)

    def key(self, entity: object, time: object) -> str:
        """One (entity, time) pair as a user names it: ``firm_id=F0012, fyear=2003``."""
        return f"{self.entity}={_shown(entity)}, {self.time}={_shown(time)}"

    def to_dict(self) -> dict[str, str]:
        """The ``columns`` field of a record: ``{"entity": ..., "time": ...}``."""
        return {"entity": self.entity, "time": self.time}

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any] | None) -> UserNames:
        """The names a record states in its ``columns`` field (the canonical ones if absent)."""
        if not columns:
            return cls()
        return cls(entity=str(columns.get("entity", ENTITY)), time=str(columns.get("time", TIME)))


def user_names(config: ProjectConfig) -> UserNames:
    """The user's names for the entity and the time, from ``config.data``.

    Parameters
    ----------
    config : ProjectConfig
        ``data.entity``, ``data.time``, ``data.time_kind`` and ``data.entity_label`` are read.

    Returns
    -------
    UserNames
    """
    data = config.data
    label = data.entity_label
    noun = label.en if label is not None and label.en else "cluster"
    plural = (getattr(label, "plural", None) if label is not None else None) or english_plural(noun)
    time_kind = getattr(data, "time_kind", "year")
    return UserNames(
        entity=data.entity or ROW_ENTITY,
        time=data.time or SINGLE_PERIOD,
        entity_noun=noun,
        entity_plural=plural,
        time_noun=TIME_NOUNS.get(time_kind, "period") if data.time else SINGLE_PERIOD,
    )


def _rename(table: pd.DataFrame, renames: Mapping[str, str]) -> pd.DataFrame:
    present = set(map(str, table.columns))
    usable = {
        old: new
        for old, new in renames.items()
        if old in present and old != new and (new not in present or new in renames)
    }
    targets = list(usable.values())
    if len(set(targets)) != len(targets):
        return table
    return table.rename(columns=usable) if usable else table


def _shown(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "(missing)"
    return str(value)
