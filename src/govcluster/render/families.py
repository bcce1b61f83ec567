"""Exhibits that read the same files, rendered by one job.

Each rendering job starts a Python process and imports pandas (and matplotlib for figures):
about a second before any work. Exhibits that read exactly the same stored results rerun
together anyway (a change of one of those files reruns every one of them), so rendering them
in one job costs nothing in tracking: :func:`exhibit_families` groups the planned exhibits by
their inputs, and the workflow defines one ``render_<family>`` rule per group.

Exhibits are grouped only with exhibits that declare the same inputs in the registry (sources,
panel job kinds), so that the rule of an exhibit has the same name in every configuration: an
exhibit whose declared inputs no other registered exhibit shares keeps its own rule
(``render_<exhibit>``); the others are named after what they read: their source keys
(``render_mediation``, ``render_did``, ``render_case_study``) or, for panel exhibits, the kinds
of the panel jobs they read (``render_baseline``, ``render_local_projections``,
``render_heterogeneity``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from govcluster.registry.exhibits import exhibit_entry
from govcluster.render.catalog import Exhibit


@dataclass(frozen=True)
class ExhibitFamily:
    """Exhibits with the same inputs, rendered by one rule.

    Attributes
    ----------
    name : str
        Rule name suffix: the rule is ``render_<name>``; logs go to ``logs/render/<name>.log``.
    exhibits : tuple of Exhibit
        In the order of the plan.
    """

    name: str
    exhibits: tuple[Exhibit, ...]

    @property
    def rule(self) -> str:
        """The Snakemake rule that renders the family."""
        return f"render_{self.name}"

    @property
    def sources(self) -> tuple[str, ...]:
        """Source keys read (the same for every member)."""
        return self.exhibits[0].sources

    @property
    def panel_jobs(self) -> tuple[str, ...]:
        """Panel job records read (the same for every member)."""
        return self.exhibits[0].panel_jobs


def _signature(exhibit: Exhibit) -> tuple[frozenset[str], tuple[str, ...], bool]:
    """What a registered exhibit declares it reads (the same in every configuration)."""
    entry = exhibit_entry(exhibit.name)
    return frozenset(entry.sources), tuple(entry.job_kinds), entry.first_job_only


def _signature_name(signature: tuple[frozenset[str], tuple[str, ...], bool]) -> str:
    sources, kinds, _ = signature
    named = [kind for kind in kinds if kind != "*"] or sorted(sources)
    return "_".join(named)


def exhibit_families(exhibits: Iterable[Exhibit]) -> tuple[ExhibitFamily, ...]:
    """Group ``exhibits`` by the files they read, in the order of their first member.

    Parameters
    ----------
    exhibits : iterable of Exhibit
        The planned exhibits (:func:`govcluster.render.plan.planned_exhibits`).

    Returns
    -------
    tuple of ExhibitFamily
        Every exhibit in exactly one family; members of a family read the same sources and
        the same panel job records. Family names are unique: a family whose name would repeat
        another's is named after its first exhibit (unique among exhibits).
    """
    exhibits = tuple(exhibits)
    shared = Counter(_signature(Exhibit(e.name, e.kind, e.stage)) for e in _registered())
    groups: dict[tuple[Any, ...], list[Exhibit]] = {}
    for exhibit in exhibits:
        key = (_signature(exhibit), frozenset(exhibit.sources), frozenset(exhibit.panel_jobs))
        groups.setdefault(key, []).append(exhibit)
    exhibit_names = {exhibit.name for exhibit in exhibits}
    families: list[ExhibitFamily] = []
    taken: set[str] = set()
    for (signature, _, _), members in groups.items():
        name = _signature_name(signature) if shared[signature] > 1 else members[0].name
        own = {exhibit.name for exhibit in members}
        if not name or name in taken or (name in exhibit_names and name not in own):
            name = members[0].name
        taken.add(name)
        families.append(ExhibitFamily(name, tuple(members)))
    return tuple(families)


def _registered() -> list[Exhibit]:
    from govcluster.registry.exhibits import registered_exhibits

    return [Exhibit(e.name, e.kind, e.stage) for e in registered_exhibits().values()]
