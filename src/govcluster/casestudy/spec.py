"""The specification of a single-cluster case study (synthetic control and synthetic DiD).

:class:`CaseStudySpec` is a frozen record of what one case-study run asks for: which cluster
is treated and from which year, which clusters may serve as donors, the outcome, the
predictors of the synthetic control and the pre-period fit window. It is built from the
``case_study:`` section of the configuration by :func:`case_study_spec_from_config`, which
the workflow script and the tests both use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

from govcluster.errors import ConfigError

DonorScope = Literal["same_industry", "all"]
VMethod = Literal["nested", "equal"]
SdidStandardError = Literal["placebo", "none"]

#: Keys accepted in the ``case_study:`` configuration section.
CONFIG_KEYS = (
    "enabled",
    "treated",
    "intervention_year",
    "outcome",
    "donor_pool",
    "donors",
    "designation_column",
    "drop_incomplete_donors",
    "pre_periods",
    "predictors",
    "v_method",
    "standardize_predictors",
    "placebo_max_units",
    "sdid_standard_error",
    "columns",
)


def check_option(value: object, options: Any, name: str) -> None:
    """Raise :class:`ConfigError` unless ``value`` is one of the ``Literal`` ``options``."""
    allowed = get_args(options)
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ConfigError(f"case_study.{name}={value!r} is not an option; use one of {shown}.")


@dataclass(frozen=True)
class CaseStudyColumns:
    """Column names of the panel the case study reads.

    Attributes
    ----------
    entity, time : str
        Cluster identifier and year.
    name : str or None
        Descriptive cluster name (the treated cluster may be given by name).
    industry : str or None
        Industry column (needed for ``donor_pool="same_industry"``).
    """

    entity: str = "cluster_id"
    time: str = "year"
    name: str | None = "cluster_name"
    industry: str | None = "industry"


@dataclass(frozen=True)
class CaseStudySpec:
    """What one case study asks for.

    Attributes
    ----------
    treated : str
        The treated cluster, by identifier or by name.
    intervention_year : int
        First year in which the intervention acts (the first post-period year).
    outcome : str
        Outcome column (default ``"SCA"``).
    donor_pool : {"same_industry", "all"}
        Donors from the treated cluster's industry or from all industries.
    donors : tuple of str
        An explicit donor list (identifiers or names); overrides ``donor_pool`` when given.
    designation_column : str or None
        A 0/1 column; clusters with any 1 are never used as donors (the donor pool is the
        never-designated clusters). ``None`` keeps every cluster.
    drop_incomplete_donors : bool
        Drop donors with a missing outcome or predictor in the window (listed in the result)
        instead of stopping with an error.
    pre_periods : int or None
        Number of pre-intervention years in the fit window (the years right before
        ``intervention_year``); ``None`` uses every pre-intervention year of the data.
    outcome_lags : "all" or tuple of int
        Years of the outcome used as separate predictors ("all" = every fit-window year).
    covariates : tuple of str
        Columns whose fit-window mean is a predictor.
    v_method : {"nested", "equal"}
        Predictor weights V chosen to minimise the fit-window outcome MSPE ("nested", as
        Abadie, Diamond and Hainmueller 2010) or all equal.
    standardize_predictors : bool
        Divide each predictor by its standard deviation across units (as R ``Synth``).
    placebo_max_units : int or None
        Number of donors used for in-space placebos (a seeded random subset); ``None`` = all.
    sdid_standard_error : {"placebo", "none"}
        Placebo standard error of SDID (Arkhangelsky et al. 2021, Algorithm 4) over every
        donor, or none.
    seed : int
        Seed of the placebo subset draw and the multistart of the V search.
    columns : CaseStudyColumns
    """

    treated: str
    intervention_year: int
    outcome: str = "SCA"
    donor_pool: DonorScope = "same_industry"
    donors: tuple[str, ...] = ()
    designation_column: str | None = "demo_cluster"
    drop_incomplete_donors: bool = True
    pre_periods: int | None = None
    outcome_lags: str | tuple[int, ...] = "all"
    covariates: tuple[str, ...] = ()
    v_method: VMethod = "nested"
    standardize_predictors: bool = True
    placebo_max_units: int | None = None
    sdid_standard_error: SdidStandardError = "placebo"
    seed: int = 0
    columns: CaseStudyColumns = field(default_factory=CaseStudyColumns)

    def __post_init__(self) -> None:
        check_option(self.donor_pool, DonorScope, "donor_pool")
        check_option(self.v_method, VMethod, "v_method")
        check_option(self.sdid_standard_error, SdidStandardError, "sdid_standard_error")
        if not isinstance(self.treated, str) or not self.treated:
            raise ConfigError(
                f"case_study.treated={self.treated!r}: give the treated cluster's "
                "identifier or name as a non-empty string."
            )
        if isinstance(self.intervention_year, bool) or not isinstance(self.intervention_year, int):
            raise ConfigError(
                f"case_study.intervention_year={self.intervention_year!r}: give the first "
                "year of the intervention as an integer."
            )
        if self.pre_periods is not None and (
            isinstance(self.pre_periods, bool)
            or not isinstance(self.pre_periods, int)
            or self.pre_periods < 2
        ):
            raise ConfigError(
                f"case_study.pre_periods={self.pre_periods!r}: give an integer of at least 2 "
                "(the number of pre-intervention years in the fit window) or null for all."
            )
        if self.outcome_lags != "all" and not isinstance(self.outcome_lags, tuple):
            raise ConfigError(
                f"case_study.predictors.outcome_lags={self.outcome_lags!r}: give 'all' or a "
                "list of years."
            )
        if self.placebo_max_units is not None and (
            isinstance(self.placebo_max_units, bool)
            or not isinstance(self.placebo_max_units, int)
            or self.placebo_max_units < 1
        ):
            raise ConfigError(
                f"case_study.placebo_max_units={self.placebo_max_units!r}: give a positive "
                "integer or null for every donor."
            )

    def to_dict(self) -> dict[str, Any]:
        """A plain JSON-able dictionary of the specification."""
        out = asdict(self)
        out["donors"] = list(self.donors)
        out["covariates"] = list(self.covariates)
        out["outcome_lags"] = (
            self.outcome_lags if self.outcome_lags == "all" else list(self.outcome_lags)
        )
        return out


def _string_tuple(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigError(f"case_study.{key}={value!r}: give a list of strings.")
    return tuple(str(v) for v in value)


def case_study_spec_from_config(
    section: Mapping[str, Any],
    *,
    seed: int,
    columns: Mapping[str, Any] | None = None,
) -> CaseStudySpec:
    """Build a :class:`CaseStudySpec` from the ``case_study:`` configuration section.

    Parameters
    ----------
    section : mapping
        The ``case_study:`` section (``enabled`` is ignored here).
    seed : int
        The master seed of the configuration.
    columns : mapping, optional
        Column names (``entity``, ``time``, ``name``, ``industry``), by default those of the
        ``data:`` section; ``section["columns"]`` overrides them key by key.

    Returns
    -------
    CaseStudySpec
    """
    unknown = sorted(set(section) - set(CONFIG_KEYS))
    if unknown:
        raise ConfigError(
            f"case_study has unknown keys {unknown}; the keys are {list(CONFIG_KEYS)}."
        )
    for key in ("treated", "intervention_year"):
        if section.get(key) is None:
            raise ConfigError(
                f"case_study.{key} is missing: a case study needs the treated cluster "
                "(identifier or name) and the first year of its intervention."
            )
    col_values = {**(columns or {}), **(section.get("columns") or {})}
    known_cols = {"entity", "time", "name", "industry"}
    bad_cols = sorted(set(col_values) - known_cols)
    if bad_cols:
        raise ConfigError(
            f"case_study.columns has unknown keys {bad_cols}; use {sorted(known_cols)}."
        )
    predictors = section.get("predictors") or {}
    if not isinstance(predictors, Mapping):
        raise ConfigError(
            "case_study.predictors must be a mapping with keys outcome_lags and covariates."
        )
    lags = predictors.get("outcome_lags", "all")
    if lags != "all":
        if isinstance(lags, str) or not isinstance(lags, Sequence):
            raise ConfigError(
                f"case_study.predictors.outcome_lags={lags!r}: give 'all' or a list of years."
            )
        lags = tuple(int(y) for y in lags)
    return CaseStudySpec(
        treated=str(section["treated"]),
        intervention_year=section["intervention_year"],
        outcome=section.get("outcome", "SCA"),
        donor_pool=section.get("donor_pool", "same_industry"),
        donors=_string_tuple(section.get("donors"), "donors"),
        designation_column=section.get("designation_column", "demo_cluster"),
        drop_incomplete_donors=bool(section.get("drop_incomplete_donors", True)),
        pre_periods=section.get("pre_periods"),
        outcome_lags=lags,
        covariates=_string_tuple(predictors.get("covariates"), "predictors.covariates"),
        v_method=section.get("v_method", "nested"),
        standardize_predictors=bool(section.get("standardize_predictors", True)),
        placebo_max_units=section.get("placebo_max_units"),
        sdid_standard_error=section.get("sdid_standard_error", "placebo"),
        seed=int(seed),
        columns=CaseStudyColumns(**{k: col_values[k] for k in col_values}),
    )
