"""Data variants of the curve: the analysis panel of each index method and winsorising choice.

A variant is built once (one job each) by the pipeline's own cleaning and index steps with two
settings replaced, ``clean.winsorize.enabled`` and ``indices.method``; the many
per-specification jobs then read it as plain arrays (:class:`govcluster.speccurve.fit.VariantData`).
Before any specification runs, :func:`check_variant` verifies, on the variant, every choice that
depends on the data (the outcome, treatment and controls exist; every sample of
``speccurve.samples`` keeps enough clusters), so a bad configuration stops here with the config
key named, not in hundreds of failing jobs.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from govcluster.clean import clean_panel
from govcluster.columns import ENTITY, PROVINCE, REGION, TIME
from govcluster.config import ProjectConfig
from govcluster.errors import ConfigError
from govcluster.indices import build_analysis_panel
from govcluster.speccurve.fit import VariantData, select_sample
from govcluster.speccurve.spec import CurveDimensions, Specification, enumerate_specifications


def variant_project(project: ProjectConfig, *, method: str, winsorize: bool) -> ProjectConfig:
    """The configuration with ``indices.method`` and ``clean.winsorize.enabled`` replaced."""
    clean = dataclasses.replace(
        project.clean,
        winsorize=dataclasses.replace(project.clean.winsorize, enabled=bool(winsorize)),
    )
    indices = dataclasses.replace(project.indices, method=method)
    return dataclasses.replace(project, clean=clean, indices=indices)


def analysis_variant(
    ingested: pd.DataFrame, project: ProjectConfig, *, method: str, winsorize: bool
) -> pd.DataFrame:
    """Clean ``ingested`` and build its indices with the variant's two settings."""
    config = variant_project(project, method=method, winsorize=winsorize)
    cleaned = clean_panel(ingested, config)
    return build_analysis_panel(cleaned.panel, config).analysis


def _text(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), "", dtype=str)
    return frame[column].astype("string").fillna("").to_numpy(dtype=str)


def variant_arrays(analysis: pd.DataFrame, dims: CurveDimensions, *, name: str) -> VariantData:
    """The columns of the analysis panel the curve needs, as arrays.

    Raises
    ------
    ConfigError
        The outcome, treatment, a control of ``speccurve.control_sets`` or a column of
        ``speccurve.strata`` is not in the analysis panel (naming the config key and the
        columns there are).
    """
    numeric = [dims.outcome, dims.treatment]
    numeric += [c for controls in dims.control_sets.values() for c in controls]
    numeric = list(dict.fromkeys(numeric))
    missing = [c for c in numeric if c not in analysis.columns]
    if missing:
        where = {
            c: (
                "speccurve.outcome"
                if c == dims.outcome
                else "speccurve.treatment"
                if c == dims.treatment
                else "speccurve.control_sets"
            )
            for c in missing
        }
        listed = "; ".join(f"{c} ({key})" for c, key in where.items())
        raise ConfigError(
            f"the specification curve names columns that are not in the analysis panel: "
            f"{listed}. Columns there: {', '.join(map(str, analysis.columns))}."
        )
    absent = [c for c in dims.strata if c not in analysis.columns]
    if absent:
        raise ConfigError(
            f"config key speccurve.strata names {', '.join(absent)}, not a column of the "
            f"analysis panel; use e.g. region, province or industry, or []."
        )
    ids = analysis[ENTITY].astype("string").to_numpy(dtype=str)
    cluster_ids, entity = np.unique(ids, return_inverse=True)
    stratum = np.full(len(analysis), "", dtype=str)
    if dims.strata:
        stratum = np.asarray(
            [
                "|".join(parts)
                for parts in zip(*[_text(analysis, c) for c in dims.strata], strict=True)
            ],
            dtype=str,
        )
    return VariantData(
        cluster_ids=cluster_ids,
        entity=entity.reshape(-1).astype(np.int64),
        year=analysis[TIME].to_numpy(dtype=np.int64),
        region=_text(analysis, REGION),
        province=_text(analysis, PROVINCE),
        stratum=stratum,
        columns={
            c: pd.to_numeric(analysis[c], errors="coerce").to_numpy(dtype=float) for c in numeric
        },
        name=name,
    )


def check_variant(data: VariantData, dims: CurveDimensions) -> tuple[Specification, ...]:
    """Check every specification of the variant's sample before any of them is fitted.

    Returns the variant's specifications. Raises :class:`ConfigError` (from
    :func:`govcluster.speccurve.fit.select_sample`) for the first sample choice that fails.
    """
    specs = tuple(s for s in enumerate_specifications(dims) if s.variant == data.name)
    if not specs:
        raise ConfigError(f"no specification of the curve reads the data variant {data.name!r}.")
    seen: set[tuple[str, str, str]] = set()
    for spec in specs:
        key = (spec.sample, spec.control_set, spec.se_type)
        if key in seen:
            continue
        seen.add(key)
        select_sample(data, spec, dims)
    return specs


def parse_variant_name(name: str) -> tuple[str, bool]:
    """``entropy_winsorised`` -> ``("entropy", True)``."""
    method, _, kind = name.rpartition("_")
    if kind not in ("winsorised", "raw") or not method:
        raise ConfigError(f"{name!r} is not a data variant name (<index method>_winsorised|raw).")
    return method, kind == "winsorised"


def build_variant(
    ingested: pd.DataFrame, project: ProjectConfig, dims: CurveDimensions, *, name: str
) -> VariantData:
    """Build the data variant ``name`` and check every specification's sample on it.

    Parameters
    ----------
    ingested : DataFrame
        The ingested panel (input of the cleaning step).
    project : ProjectConfig
        Cleaning and index settings (two of them replaced by the variant's).
    dims : CurveDimensions
    name : str
        ``<index method>_<winsorised|raw>``, one of ``dims.variant_names``.

    Raises
    ------
    ConfigError
        A variant the configuration does not list, columns missing, or a sample choice that
        leaves too few clusters (naming the config key).
    """
    if name not in dims.variant_names:
        raise ConfigError(
            f"data variant {name!r} is not one of the configured curve's "
            f"({', '.join(dims.variant_names)}; speccurve.index_methods x speccurve.winsorize)."
        )
    method, winsorize = parse_variant_name(name)
    analysis = analysis_variant(ingested, project, method=method, winsorize=winsorize)
    data = variant_arrays(analysis, dims, name=name)
    check_variant(data, dims)
    return data
