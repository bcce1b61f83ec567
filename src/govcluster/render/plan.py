"""The exhibits of a configuration: which tables, figures and numbers files it gets.

The workflow asks :func:`planned_exhibits` for the exhibits of the configuration and defines
one rendering rule for each. The candidates are the entries of the exhibit registry
(:mod:`govcluster.registry.exhibits`), in registration order; an entry is planned when

- it reads panel jobs and the configuration has jobs of its first job kind (the replication
  cases name their jobs differently, so kinds count, not names), and
- its condition holds: the index tables need constructs (and the trends a region), the
  robustness table a baseline specification estimated under more than one covariance
  estimator, the mediation exhibits ``mediation.enabled`` and at least one mediator.
"""

from __future__ import annotations

from govcluster.config import ProjectConfig
from govcluster.errors import ConfigError
from govcluster.panel.plan import project_panel_jobs
from govcluster.registry.exhibits import registered_exhibits
from govcluster.render.catalog import Exhibit


def planned_exhibits(project: ProjectConfig) -> tuple[Exhibit, ...]:
    """Every exhibit of the configuration, in the order of the paper.

    Parameters
    ----------
    project : ProjectConfig

    Returns
    -------
    tuple of Exhibit
    """
    jobs = project_panel_jobs(project)
    planned = []
    for entry in registered_exhibits().values():
        panel_jobs = entry.select_jobs(jobs)
        if entry.job_kinds and not panel_jobs:
            continue
        if not entry.when(project, jobs):
            continue
        planned.append(
            Exhibit(
                entry.name,
                entry.kind,
                entry.stage,
                entry.sources,
                panel_jobs,
                caption=entry.caption,
            )
        )
    return tuple(planned)


def planned_exhibit(project: ProjectConfig, name: str, kind: str | None = None) -> Exhibit:
    """The planned exhibit called ``name`` (of ``kind``, when names repeat across kinds).

    Raises
    ------
    ConfigError
        If the configuration plans no such exhibit.
    """
    for exhibit in planned_exhibits(project):
        if exhibit.name == name and (kind is None or exhibit.kind == kind):
            return exhibit
    raise ConfigError(f"the configuration plans no exhibit called '{name}'")
