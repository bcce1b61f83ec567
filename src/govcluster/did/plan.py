"""Run the configured ``did`` stage: every estimator on every outcome, in one record."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

import numpy as np
import pandas as pd

from govcluster.columns import ENTITY, TIME
from govcluster.did.bacon import decompose_twfe
from govcluster.did.data import prepare_staggered_sample
from govcluster.did.honest import honest_sensitivity
from govcluster.did.intensity import fit_intensity_ratio
from govcluster.did.permutation import randomization_inference, unit_strata
from govcluster.did.results import DidResults, OutcomeResults
from govcluster.did.robust import (
    check_estimable,
    fit_callaway_santanna,
    fit_imputation,
    fit_sun_abraham,
    universal_base_event_study,
)
from govcluster.did.spec import DidSpec
from govcluster.did.twfe import fit_twfe, twfe_implicit_weights
from govcluster.user_names import UserNames


def _seeds(seed: int, n_outcomes: int) -> list[np.random.SeedSequence]:
    """One independent seed sequence per outcome, the same whatever runs in parallel."""
    return np.random.SeedSequence(seed).spawn(n_outcomes)


def estimate_did(frame: pd.DataFrame, spec: DidSpec) -> DidResults:
    """Every estimator of ``spec`` on every outcome of ``spec``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The analysis panel.
    spec : DidSpec

    Returns
    -------
    DidResults
    """
    sample = prepare_staggered_sample(frame, spec)
    strata = unit_strata(frame, sample, spec) if spec.randomization.enabled else None
    outcomes = []
    for outcome, seeds in zip(spec.outcomes, _seeds(spec.seed, len(spec.outcomes)), strict=True):
        draw = [int(s.generate_state(1)[0]) for s in seeds.spawn(3)]
        outcomes.append(_one_outcome(sample, spec, outcome, draw, strata))
    engine = {name: version(name) for name in ("diff-diff", "numpy", "scipy")}
    return DidResults(
        spec=spec.to_dict(), sample=sample.summary, outcomes=tuple(outcomes), engine=engine
    )


def _one_outcome(
    sample, spec: DidSpec, outcome: str, seeds: list[int], strata: np.ndarray | None
) -> OutcomeResults:
    results = []
    sources: dict[str, Any] = {}
    bacon = None
    weights: dict[str, Any] = {}
    if "twfe" in spec.estimators:
        twfe = fit_twfe(sample, spec, outcome, seed=seeds[0])
        results.append(twfe)
        bacon = decompose_twfe(sample, spec, outcome, twfe_estimate=twfe.overall()["estimate"])
        weights = twfe_implicit_weights(sample, spec)
    if "callaway_santanna" in spec.estimators:
        record, sources["callaway_santanna"] = fit_callaway_santanna(
            sample, spec, outcome, seed=seeds[1]
        )
        results.append(record)
    if "sun_abraham" in spec.estimators:
        record, sources["sun_abraham"] = fit_sun_abraham(sample, spec, outcome, seed=seeds[2])
        results.append(record)
    if "imputation" in spec.estimators:
        results.append(fit_imputation(sample, spec, outcome, seed=seeds[2]))
    for record in results:
        check_estimable(record)
    honest = []
    if spec.honest.source in sources:
        for method in spec.honest.methods:
            grid = getattr(spec.honest, f"m_grid_{method}")
            event_study = sources[spec.honest.source]
            if method == "smoothness" and spec.base_period != "universal":
                event_study = universal_base_event_study(sample, spec, outcome)
            honest.append(
                honest_sensitivity(
                    event_study,
                    outcome=outcome,
                    source=spec.honest.source,
                    method=method,
                    m_grid=grid,
                    alpha=spec.alpha,
                    window=spec.event_window,
                    reference=-1 - spec.anticipation,
                )
            )
    intensity = (
        fit_intensity_ratio(sample, spec, outcome)
        if spec.intensity is not None and spec.intensity != outcome
        else None
    )
    randomization = ()
    if strata is not None:
        estimates = {r.estimator: r.overall()["estimate"] for r in results}
        randomization = randomization_inference(sample, spec, outcome, strata, estimates=estimates)
    return OutcomeResults(
        outcome=outcome,
        estimators=tuple(results),
        bacon=bacon,
        honest=tuple(honest),
        twfe_weights=weights,
        intensity=intensity,
        randomization=randomization,
    )


def run_configured_did(
    frame: pd.DataFrame,
    section: Mapping[str, Any],
    *,
    seed: int,
    names: UserNames | None = None,
) -> DidResults:
    """The ``did`` stage as configured: ``section`` is config ``did:``, ``seed`` config ``seed``.

    With ``names`` (:func:`govcluster.user_names.user_names` of the configuration), the stage
    runs under the user's names of the entity and the time: ``frame`` (the analysis panel,
    ``cluster_id`` and ``year``) is renamed to them, and so are the specification's ``entity``,
    ``time`` and ``cluster``, so that the record names the identifiers as the user's file does.
    The numbers do not depend on the names.
    """
    settings = dict(section)
    settings.setdefault("seed", seed)
    if names is not None:
        names = names.usable(frame)
        frame = names.to_user(frame)
        for key, default in (("entity", ENTITY), ("time", TIME), ("cluster", ENTITY)):
            settings[key] = names.user_column(str(settings.get(key) or default))
    return estimate_did(frame, DidSpec.from_config(settings))
