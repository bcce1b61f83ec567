"""Error and warning classes of govcluster.

Every error a user can trigger with their data or configuration is a :class:`GovclusterError`
whose message names the file, the column, the offending rows and how to fix the problem.
"""

from __future__ import annotations

from collections.abc import Sequence


class GovclusterError(Exception):
    """Base class of errors caused by the user's data or configuration."""


class ConfigError(GovclusterError):
    """The configuration is invalid or inconsistent."""


class DataReadError(GovclusterError):
    """A data file cannot be read (missing, unknown format, undecodable text)."""


class DataValidationError(GovclusterError):
    """The data break a rule of the panel.

    Parameters
    ----------
    problem : str
        What is wrong, in one sentence.
    file : str, optional
        The data file.
    column : str, optional
        The offending column, as named in the file.
    rows : sequence of int, optional
        Offending rows, as row numbers of the file (header = row 1).
    fix : str, optional
        How to fix it.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: Sequence[int] | None = None,
        fix: str | None = None,
        max_rows_shown: int = 10,
    ) -> None:
        self.problem = problem
        self.file = file
        self.column = column
        self.rows = list(rows) if rows is not None else []
        self.fix = fix
        parts = [problem]
        if file:
            parts.append(f"  file:   {file}")
        if column:
            parts.append(f"  column: {column}")
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:max_rows_shown])
            more = len(self.rows) - max_rows_shown
            suffix = f" ... and {more} more" if more > 0 else ""
            parts.append(f"  rows:   {shown}{suffix} ({len(self.rows)} in all)")
        if fix:
            parts.append(f"  fix:    {fix}")
        super().__init__("\n".join(parts))


class EstimationError(GovclusterError):
    """A model specification cannot be estimated on these data."""


class GovclusterWarning(UserWarning):
    """Base class of govcluster warnings."""


class FewClustersWarning(GovclusterWarning):
    """Cluster-robust inference with fewer clusters than is reliable."""


class SpecificationWarning(GovclusterWarning):
    """The model is degenerate: a perfect first stage, a regressor without within variation."""
