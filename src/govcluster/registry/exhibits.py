"""Registry of the exhibits: one entry per table, figure or file of number macros.

An :class:`ExhibitEntry` declares everything about an exhibit in one place:

- ``build``: the builder, ``build(sources, project, settings)`` -> a
  :class:`~govcluster.render.tables.Table`, a :class:`matplotlib.figure.Figure` or the text
  of a numbers file;
- ``kind`` (table, figure or numbers), which fixes the formats written (:data:`EXTENSIONS`)
  and the folder under ``results/``;
- ``caption``: the caption of the Snakemake report, a file under ``workflow/report/``;
- ``stage``: the report category;
- what it reads: stored ``sources`` (keys of :data:`SOURCE_KINDS`) and the panel jobs of
  ``job_kinds`` (kinds of :mod:`govcluster.registry.estimators`; ``"*"`` for every job);
- ``when``: whether a configuration plans it.

Exhibits that read the same files are rendered by one rule of their family
(:mod:`govcluster.render.families`, ``workflow/rules/render.smk``). The built-in exhibits are
registered in :mod:`govcluster.render.catalog`, in the order of the paper;
:func:`govcluster.render.plan.planned_exhibits` walks this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from govcluster.render.output import TABLE_FORMATS

ExhibitKind = Literal["table", "figure", "numbers"]

#: Extensions written for each kind of exhibit.
EXTENSIONS: Mapping[str, tuple[str, ...]] = {
    "table": TABLE_FORMATS,
    "figure": ("png", "pdf"),
    "numbers": ("tex",),
}
#: Folder of each kind of exhibit under ``results/``.
FOLDERS: Mapping[str, str] = {"table": "tables", "figure": "figures", "numbers": "numbers"}
#: Report category of each stage and subcategory of each kind (``snakemake --report``).
CATEGORIES: dict[str, str] = {
    "descriptives": "3. Descriptive statistics",
    "panel": "4. Panel models",
    "mediation": "5. Mediation",
    "did": "6. Staggered designation (difference-in-differences)",
    "casestudy": "7. Case study",
}
SUBCATEGORIES: Mapping[str, str] = {
    "table": "Tables",
    "figure": "Figures",
    "numbers": "Numbers in the text",
}
#: Stored results an exhibit can read (besides panel job records), by source key, and how
#: each is read (:func:`govcluster.render.catalog.load_sources`).
SOURCE_KINDS: dict[str, str] = {
    "summary_statistics": "csv",
    "cleaning_summary": "json",
    "correlations": "csv_indexed",
    "index_weights": "csv",
    "index_reliability": "csv",
    "analysis": "parquet",
    "mediation": "mediation_record",
    "bootstrap": "parquet",
    "case_study": "json",
    "did": "json_by_outcome",
    "moderated": "json",
    "interaction": "json",
    "index_uncertainty": "json",
}

#: ``build(sources, project, settings)``.
Builder = Callable[[Mapping[str, Any], Any, Any], Any]
#: ``when(project, jobs)``: ``jobs`` maps job name -> :class:`govcluster.panel.plan.PanelJob`.
Condition = Callable[[Any, Mapping[str, Any]], bool]


def always(project: Any, jobs: Mapping[str, Any]) -> bool:
    """Every configuration plans the exhibit."""
    return True


@dataclass(frozen=True)
class ExhibitEntry:
    """One registered exhibit (see the module docstring).

    Attributes
    ----------
    name : str
        File stem, unique.
    kind : {"table", "figure", "numbers"}
    stage : str
        A key of :data:`CATEGORIES`.
    build : callable
    sources : tuple of str
        Keys of :data:`SOURCE_KINDS` it reads.
    job_kinds : tuple of str
        Panel job kinds it reads, in this order; the first must have a job for the exhibit to
        be planned. ``("*",)``: every job, in configuration order.
    first_job_only : bool
        Read only the first job of the first kind.
    when : callable
        Further condition on the configuration.
    caption : str
        Caption file under ``workflow/report/`` (default ``<name>.rst``).
    """

    name: str
    kind: ExhibitKind
    stage: str
    build: Builder
    sources: tuple[str, ...] = ()
    job_kinds: tuple[str, ...] = ()
    first_job_only: bool = False
    when: Condition = always
    caption: str = ""

    def __post_init__(self) -> None:
        if self.kind not in EXTENSIONS:
            raise ValueError(f"exhibit '{self.name}': kind must be one of {sorted(EXTENSIONS)}")
        if self.stage not in CATEGORIES:
            raise ValueError(f"exhibit '{self.name}': stage must be one of {sorted(CATEGORIES)}")
        unknown = [source for source in self.sources if source not in SOURCE_KINDS]
        if unknown:
            raise ValueError(f"exhibit '{self.name}' reads unknown source(s) {unknown}")
        if not self.caption:
            object.__setattr__(self, "caption", f"{self.name}.rst")

    @property
    def formats(self) -> tuple[str, ...]:
        """Extensions written."""
        return EXTENSIONS[self.kind]

    def select_jobs(self, jobs: Mapping[str, Any]) -> tuple[str, ...]:
        """The panel jobs it reads among ``jobs`` (empty if its first job kind has none)."""
        if not self.job_kinds:
            return ()
        if self.job_kinds == ("*",):
            return tuple(jobs)
        names = [
            tuple(name for name, job in jobs.items() if job.kind == kind) for kind in self.job_kinds
        ]
        if not names[0]:
            return ()
        if self.first_job_only:
            names[0] = names[0][:1]
        return tuple(name for group in names for name in group)


#: Registered exhibits, by name, in the order of the paper.
EXHIBITS: dict[str, ExhibitEntry] = {}


def register_exhibit(entry: ExhibitEntry) -> ExhibitEntry:
    """Add ``entry`` to :data:`EXHIBITS` (a name may be registered once)."""
    if entry.name in EXHIBITS and EXHIBITS[entry.name] is not entry:
        raise ValueError(f"an exhibit called {entry.name!r} is already registered")
    EXHIBITS[entry.name] = entry
    return entry


def unregister_exhibit(name: str) -> None:
    """Remove the exhibit ``name`` (for tests that register a temporary one)."""
    EXHIBITS.pop(name, None)


def registered_exhibits() -> dict[str, ExhibitEntry]:
    """The registry, with the built-in exhibits registered."""
    import govcluster.render.catalog  # noqa: F401  (registers the built-in exhibits)

    return EXHIBITS


def exhibit_entry(name: str) -> ExhibitEntry:
    """The registered exhibit ``name``.

    Raises
    ------
    ValueError
        If no exhibit of that name is registered.
    """
    exhibits = registered_exhibits()
    if name not in exhibits:
        raise ValueError(f"no exhibit called '{name}'; registered: {sorted(exhibits)}")
    return exhibits[name]


def exhibits_reading(kind: str) -> list[ExhibitEntry]:
    """The registered exhibits that read panel jobs of ``kind`` (every job: ``"*"``)."""
    return [e for e in registered_exhibits().values() if kind in e.job_kinds or "*" in e.job_kinds]
