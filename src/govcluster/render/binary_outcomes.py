"""The note of a table whose models fit a binary (0/1) outcome or mediator linearly.

The panel, mediation and DiD estimators are linear, so a 0/1 dependent variable is fitted as
a linear probability model. The workflow warns about it when it loads the configuration
(:func:`govcluster.config.binary_outcome_warnings`); :func:`binary_outcome_note` says it again
in the notes of every table that shows such a model. The dependent variables are read from
the records the table is built from (the ``outcome`` and ``mediators`` of their
specifications, the outcomes of the DiD records); which variables are binary from the
configuration (``variables.<name>.kind: binary``, and controls that are such a variable
untransformed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from govcluster.config import ProjectConfig, binary_variable_names
from govcluster.render.labels import word

#: Fields of a record's specification that name a variable a linear model takes as its
#: dependent variable.
DEPENDENT_FIELDS = ("outcome", "mediators")


def _dependent_names(value: Any, found: set[str], depth: int = 0) -> None:
    if depth > 6:
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            if field.name in DEPENDENT_FIELDS:
                if isinstance(item, str):
                    found.add(item)
                elif isinstance(item, tuple | list):
                    found.update(name for name in item if isinstance(name, str))
            else:
                _dependent_names(item, found, depth + 1)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key in DEPENDENT_FIELDS and isinstance(item, str):
                found.add(item)
            elif key in DEPENDENT_FIELDS and isinstance(item, list | tuple):
                found.update(name for name in item if isinstance(name, str))
            else:
                _dependent_names(item, found, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            _dependent_names(item, found, depth + 1)


def modelled_dependents(sources: Mapping[str, Any]) -> set[str]:
    """Names of the dependent variables of the models in an exhibit's loaded sources."""
    found: set[str] = set()
    for key in ("panel", "mediation", "moderated", "interaction"):
        if key in sources:
            _dependent_names(sources[key], found)
    if "did" in sources:
        found.update(str(outcome) for outcome in sources["did"])
    return found


def binary_outcome_note(
    sources: Mapping[str, Any], project: ProjectConfig, *, names: Iterable[str] | None = None
) -> str | None:
    """The table note about binary dependent variables of linear models, or None.

    Parameters
    ----------
    sources : mapping
        An exhibit's loaded sources (:func:`govcluster.render.catalog.load_sources`).
    project : ProjectConfig
        Variables, controls (which are binary), labels and language.
    names : iterable of str, optional
        The dependent variables, when known otherwise (default: read from ``sources``).
    """
    dependents = set(names) if names is not None else modelled_dependents(sources)
    binary = sorted(dependents & binary_variable_names(project))
    if not binary:
        return None
    separator = "、" if project.language == "zh" else ", "
    shown = separator.join(project.label(name) for name in binary)
    return word("binary_outcome_note", project.language).format(names=shown)
