r"""Firm-level panels with many fixed effects: the ``hdfe`` estimator of a panel model.

A model of the ``models`` section with ``estimator: hdfe`` estimates

.. math:: y_{it} = \beta' x_{it} + \gamma' c_{it} + \alpha_i + \lambda_t
          + \sum_{e \in \mathrm{absorb}} \mu_{e(i,t)} + \varepsilon_{it}

by least squares with every effect absorbed (:func:`govcluster.core.hdfe.fit_hdfe`): the
entity (the firm), the year and each term of ``absorb`` (``industry^year``,
``province^year``: one effect per observed cell). No dummy is formed, so a panel of millions of
firm-years is fitted in memory of the order of the data. The regressors may be measured at a
coarser level than the entity (the treatment of the firm's cluster); they must vary within the
absorbed cells.

Conventions (those of reghdfe and of pyfixest's ``feols(..., vcov={"CRV1": column})``):

- rows alone in a level of some effect (singletons) are dropped, repeatedly, and counted in
  the record's ``n_dropped["singletons"]``;
- the covariance is one-way cluster-robust (CRV1), clustered by the entity
  (``cov_type: cluster_entity``) or by a column (``cov_type: cluster`` with ``cluster:
  cluster_id`` or ``province``), with the factor :math:`\frac{G}{G-1}\frac{N-1}{N-K}`, where
  :math:`K` counts the regressors and the levels of the effects not nested in the clusters
  (:mod:`govcluster.core.hdfe`); ``small_sample: false`` leaves the factor out. Inference
  uses :math:`t(G-1)`;
- no intercept is reported; ``r2`` and ``r2_within`` are the R-squared of the absorbed
  regression (the share of the variation left by all the effects that the regressors
  explain).

The result is the :class:`govcluster.panel.results.PanelEstimate` of the other panel models,
so the tables and the records are the same. The two-way case equals linearmodels'
``PanelOLS`` with entity and time effects, and every case pyfixest's ``feols``
(``tests/panel/test_panel_hdfe.py``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from govcluster.categories import absorb_codes, absorb_terms, term_name
from govcluster.core.covariance import cluster_factor
from govcluster.core.hdfe import fit_hdfe, non_singleton_rows
from govcluster.errors import EstimationError
from govcluster.model_diagnostics import NEGLIGIBLE_WITHIN_SHARE, warn_all, within_variation_shares
from govcluster.panel.covariance import Inference
from govcluster.panel.results import PanelEstimate, readonly
from govcluster.panel.sample import DROP_SINGLETONS, Sample
from govcluster.panel.spec import PanelSpec


def fit_hdfe_model(
    sample: Sample, dependent: str, columns: list[str], spec: PanelSpec
) -> PanelEstimate:
    """Fit ``spec`` (``estimator="hdfe"``) on the estimation sample.

    Parameters
    ----------
    sample : Sample
        The estimation sample (:func:`govcluster.panel.estimators.build_sample`), carrying the
        keys of the absorbed terms and the clustering column.
    dependent : str
        The outcome column.
    columns : list of str
        The regressors and controls of the design (category indicators expanded).
    spec : PanelSpec

    Returns
    -------
    PanelEstimate
        ``dropped`` adds the singletons to the reasons of the sample.

    Raises
    ------
    EstimationError
        A key of an absorbed term or the clustering column missing in a used row, a regressor
        the effects absorb or one collinear with the others (named), fewer than two clusters.
    """
    frame = sample.frame
    words = sample.vocabulary
    warn_all(low_within_variation(frame, columns, entity=sample.entity, entities=words.entities))
    terms = absorb_terms(spec.absorb)
    keys = [c for term in terms for c in term if c not in (sample.entity, sample.time)]
    cluster_column = spec.cluster if spec.cov_type == "cluster" else sample.entity
    for column in dict.fromkeys([*keys, cluster_column]):
        missing = frame[column].isna().to_numpy()
        if missing.any():
            raise EstimationError(
                f"{column!r} is missing in {int(missing.sum())} row(s) of the estimation sample "
                f"(e.g. {sample.entity} {frame.loc[missing, sample.entity].iloc[0]!r} in "
                f"{sample.time} {frame.loc[missing, sample.time].iloc[0]}); it is absorbed or "
                "clusters the "
                "standard errors, so fill it or drop those rows first."
            )
    effects = [sample.entity_codes, sample.time_codes]
    effects += [absorb_codes(frame, term) for term in terms]
    keep = non_singleton_rows(effects)
    n_singletons = int(len(keep) - keep.sum())
    if n_singletons:
        frame = frame.loc[keep].reset_index(drop=True)
        sample = Sample(
            frame=frame,
            entity=sample.entity,
            time=sample.time,
            n_input=sample.n_input,
            dropped=sample.dropped,
            vocabulary=words,
        )
        effects = [codes[keep] for codes in effects]
    dropped = (*sample.dropped, (DROP_SINGLETONS, n_singletons))
    fit = fit_hdfe(
        frame[dependent].to_numpy(dtype=float),
        frame[list(columns)].to_numpy(dtype=float),
        effects,
        cluster=frame[cluster_column].to_numpy(),
        names=columns,
        drop_singletons=False,
    )
    vcov = fit.vcov
    factor = cluster_factor(fit.n_clusters, fit.n_obs, fit.dof_k)
    if spec.small_sample:
        inference = Inference(
            fit.n_clusters - 1,
            f"G/(G-1)*(N-1)/(N-K), N={fit.n_obs}, K={fit.dof_k} (regressors and fixed-effect "
            "levels not nested in the clusters)",
        )
    else:
        vcov = vcov / factor
        inference = Inference(None, "none (large-sample)")
    r2 = 1.0 - fit.ssr / fit.tss_within if fit.tss_within > 0 else float("nan")
    years = frame[sample.time]
    return PanelEstimate(
        spec=spec,
        names=tuple(columns),
        params_array=readonly(fit.coef),
        cov_array=readonly(vcov),
        dependent=dependent,
        df_inference=inference.df,
        correction=inference.correction,
        n_obs=fit.n_obs,
        n_entities=sample.n_entities,
        n_periods=sample.n_periods,
        clusters=((cluster_column, fit.n_clusters),),
        n_input_rows=sample.n_input,
        dropped=dropped,
        first_year=int(years.min()),
        last_year=int(years.max()),
        r2=r2,
        r2_within=r2,
        mean_dependent=float(np.mean(frame[dependent])),
        fixed_effects=("entity", "time", *(term_name(t) for t in terms)),
        poolability=None,
        dk_bandwidth=None,
    )


def low_within_variation(
    frame: pd.DataFrame, columns: list[str], *, entity: str, entities: str = "entities"
) -> tuple[str, ...]:
    """Messages naming each regressor whose variation within entities is negligible.

    Under ``hdfe`` a coefficient rests on the variation within firms (and within the other
    absorbed cells); a regressor that varies almost only between firms is barely identified.
    A regressor with no such variation at all is an error of :func:`fit_hdfe` instead.
    ``entities`` is the word for the entities in the messages (firms).
    """
    messages = []
    for column, share in within_variation_shares(frame, columns, entity=entity).items():
        if math.isfinite(share) and 0 < share < NEGLIGIBLE_WITHIN_SHARE:
            messages.append(
                f"{column} varies almost only between {entities}: its variation within "
                f"{entities} is {share:.2%} of the total, so the hdfe coefficient of {column} "
                "rests on a sliver of the data (its estimate and standard error are unreliable)."
            )
    return tuple(messages)
