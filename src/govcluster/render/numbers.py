r"""Numbers in the text of a paper: one LaTeX macro per key number.

A paper that ``\input``\ s ``results/numbers/panel.tex`` and ``results/numbers/mediation.tex``
writes ``the two-way fixed-effects estimate is \BaselineTwowayFeGOV{}
(s.e.\ \BaselineTwowayFeGOVSE{})`` instead of copying numbers, so the text always shows the
estimates of the last run. Macro names are letters only (LaTeX does not allow digits or
underscores in them): names are joined in CamelCase, digits spelled out
(``GOV_lag1`` -> ``GOVLagOne``) and other characters dropped.

Values are printed as in the tables (:class:`~govcluster.render.settings.RenderSettings`
decimals; p-values with three decimals), the minus sign as ``\ensuremath{-}`` so a macro works
in text and in math. Counts carry their thousands separator as ``{,}`` (``3{,}586``), which
prints "3,586" in text and in math alike (a bare comma in math mode adds a space after it).
A p-value below 0.001 reads ``\ensuremath{<}\,0.001``, so write ``$p$~\SobelZOPENP{}``
rather than ``$p = $``; a bootstrap (or Monte Carlo) p-value at its floor 1/*B* reads
``< bound`` in the same way (see :func:`~govcluster.render.formatting.format_pvalue`).

=====================  ==============================================================
source                 macros (``<Job>`` is the job name in CamelCase, ``<T>`` a term)
=====================  ==============================================================
baseline job           ``\<Job><T>`` (estimate), ``SE``, ``P``, ``Lower``, ``Upper`` for the
                       treatment and its lags; ``\<Job>N``, ``\<Job>Clusters``,
                       ``\<Job>WithinRsq``
specification tests    ``\SpecificationTests<Test>``, ``...Df``, ``...P``
local projections      ``\LocalProjectionsHorizon<h>``, ``SE``, ``P``, ``Lower``, ``Upper``,
                       ``N``
heterogeneity job      ``\<Job><Group>`` (split sample), ``SE``, ``N``,
                       ``\<Job><Group>Interaction``, ``SE``; ``\<Job>EqualEffects``, ``P``
IV job                 as a baseline job, and ``\<Job>FirstStageF``, ``PartialRsq``,
                       ``KleibergenPaapF``, ``AndersonRubin``, ``AndersonRubinP``,
                       ``AndersonRubinLower``, ``AndersonRubinUpper``
mediation              ``\TotalEffect``, ``\DirectEffect``, ``\TotalIndirectEffect`` (each
                       with ``SE``, ``Lower``, ``Upper``), ``\ProportionMediated``
                       (``Lower``, ``Upper``); per mechanism ``<M>``: ``\IndirectEffect<M>``
                       (``SE``, ``Lower``, ``Upper``), ``\APath<M>``, ``\BPath<M>`` (``SE``),
                       ``\ProportionMediated<M>``, ``\ACME<M>``, ``\ADE<M>`` (each
                       ``Lower``, ``Upper``), ``\RhoAtZero<M>``; the bootstrap p-value of each
                       indirect effect, ``\IndirectEffect<M>P``, ``\TotalIndirectEffectP``;
                       per mechanism the Sobel test ``\SobelZ<M>`` (``P``), the Monte Carlo
                       and BCa intervals ``\MonteCarlo<M>Lower``, ``Upper``, ``P`` and
                       ``\BCa<M>Lower``, ``Upper``, ``P``, and the effect of the treatment on
                       the mechanism, ``\FEEffect<M>`` and ``\FEIVEffect<M>`` (each ``SE``,
                       ``P``, ``Lower``, ``Upper``; FE-IV only when estimated);
                       ``\MediationN``, ``\MediationClusters``, ``\BootstrapReplications``,
                       ``\MonteCarloDraws``
=====================  ==============================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from govcluster.records.mediation import TOTAL, MediationRecord, as_mediation_record
from govcluster.records.panel import PanelJobRecord, as_job_records
from govcluster.render.formatting import format_count, format_number, format_pvalue
from govcluster.render.mediation_records import mediation_path
from govcluster.render.panel_records import Estimate, key_terms
from govcluster.render.settings import RenderSettings

DIGIT_WORDS = ("Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")


@dataclass(frozen=True)
class Macro:
    """One number of the text.

    Attributes
    ----------
    name : str
        Macro name without the backslash (letters only).
    value : str
        The number as printed.
    meaning : str
        What the number is (written as a comment next to the macro).
    """

    name: str
    value: str
    meaning: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z]+", self.name):
            raise ValueError(f"a LaTeX macro name must be letters only, got {self.name!r}")


def macro_name(*parts: str) -> str:
    """CamelCase letters-only macro name from name parts.

    Examples
    --------
    >>> macro_name("baseline_twoway_fe", "GOV_lag1", "SE")
    'BaselineTwowayFeGOVLagOneSE'
    """
    words = []
    for part in parts:
        for token in re.findall(r"[A-Za-z]+|\d+", str(part)):
            if token.isdigit():
                words.append("".join(DIGIT_WORDS[int(digit)] for digit in token))
            else:
                words.append(token[0].upper() + token[1:])
    name = "".join(words)
    if not name:
        raise ValueError(f"no letters or digits to name a macro in {parts!r}")
    return name


def latex_number(value: object, digits: int) -> str:
    r"""A number for a macro: ``digits`` decimals, minus as ``\ensuremath{-}``; empty if missing."""
    return _latex_minus(format_number(value, digits))


def latex_count(value: object) -> str:
    """A count for a macro, thousands separated by ``{,}`` (right in text and in math)."""
    return _latex_minus(format_count(value)).replace(",", "{,}")


def latex_pvalue(value: object, *, n_boot: int | None = None) -> str:
    r"""A p-value for a macro: three decimals, ``\ensuremath{<}\,0.001`` below 0.001.

    ``n_boot`` (valid bootstrap replicates or Monte Carlo draws) prints a p-value at its floor
    1/*B* as ``< bound`` (:func:`~govcluster.render.formatting.format_pvalue`).
    """
    text = format_pvalue(value, n_boot=n_boot)
    return text.replace("< ", "\\ensuremath{<}\\,")


def _latex_minus(text: str) -> str:
    return "\\ensuremath{-}" + text[1:] if text.startswith("-") else text


def macros_text(macros: Iterable[Macro], title: str) -> str:
    r"""The LaTeX file: a comment line, then one ``\newcommand`` per macro with its meaning.

    Raises
    ------
    ValueError
        If two macros share a name.
    """
    macros = list(macros)
    seen: dict[str, str] = {}
    for macro in macros:
        if macro.name in seen:
            raise ValueError(
                f"two numbers would get the macro \\{macro.name}: {seen[macro.name]!r} and "
                f"{macro.meaning!r}; rename one of the configured names"
            )
        seen[macro.name] = macro.meaning
    lines = [f"% {title}", "% One macro per number; \\input{} this file in the preamble."]
    lines += [f"\\newcommand{{\\{m.name}}}{{{m.value}}} % {m.meaning}" for m in macros]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- panel models


def _estimate_macros(
    prefix: str, entry: Any, meaning: str, settings: RenderSettings
) -> list[Macro]:
    """Estimate, SE, p-value and interval of a coefficient or horizon record (none if None)."""
    if entry is None:
        return []
    digits = settings.digits
    return [
        Macro(prefix, latex_number(entry.estimate, digits), meaning),
        Macro(f"{prefix}SE", latex_number(entry.std_error, digits), f"{meaning}: SE"),
        Macro(f"{prefix}P", latex_pvalue(entry.p_value), f"{meaning}: p-value"),
        Macro(f"{prefix}Lower", latex_number(entry.ci_lower, digits), f"{meaning}: CI lower"),
        Macro(f"{prefix}Upper", latex_number(entry.ci_upper, digits), f"{meaning}: CI upper"),
    ]


def _sample_macros(prefix: str, result: Estimate, job: str) -> list[Macro]:
    macros = [Macro(f"{prefix}N", latex_count(result.n_obs), f"{job}: observations")]
    if result.n_clusters is not None:
        macros.append(
            Macro(f"{prefix}Clusters", latex_count(result.n_clusters), f"{job}: clusters")
        )
    return macros


#: Job kind -> function giving the macros of one job record: ``(prefix, record, settings)``.
#: An estimator adds its numbers to ``panel.tex`` with :func:`register_job_macros`.
JOB_MACROS: dict[str, Callable[[str, PanelJobRecord, RenderSettings], list[Macro]]] = {}


def register_job_macros(kind: str):
    """Decorator: the numbers of the jobs of ``kind`` in ``results/numbers/panel.tex``."""

    def register(function):
        JOB_MACROS[kind] = function
        return function

    return register


def _coefficient_macros(prefix: str, record: PanelJobRecord, settings: RenderSettings):
    job, result = record.job, record.result
    macros: list[Macro] = []
    for term in key_terms([result]):
        macros += _estimate_macros(
            prefix + macro_name(term),
            result.coefficient(term),
            f"{job}: coefficient of {term}",
            settings,
        )
    return macros + _sample_macros(prefix, result, job)


@register_job_macros("baseline")
def baseline_macros(prefix: str, record: PanelJobRecord, settings: RenderSettings) -> list[Macro]:
    """Coefficients of interest, sample sizes and the within R-squared of a baseline job."""
    result = record.result
    macros = _coefficient_macros(prefix, record, settings)
    within = result.estimator not in ("between", "first_difference")
    if within and result.r2_within is not None:
        macros.append(
            Macro(
                f"{prefix}WithinRsq",
                latex_number(result.r2_within, settings.digits),
                f"{record.job}: within R-squared",
            )
        )
    return macros


@register_job_macros("iv")
def iv_macros(prefix: str, record: PanelJobRecord, settings: RenderSettings) -> list[Macro]:
    """Coefficients, sample sizes and the weak-instrument diagnostics of an IV job."""
    digits = settings.digits
    job, result = record.job, record.result
    stage = result.first_stages[0] if result.first_stages else None
    test = result.anderson_rubin.test
    values = [
        ("FirstStageF", stage and stage.f_statistic, digits, "first-stage F"),
        (
            "PartialRsq",
            stage and stage.partial_r2,
            digits,
            "partial R-squared of the instruments",
        ),
        (
            "KleibergenPaapF",
            result.kleibergen_paap_rk_wald_f,
            digits,
            "Kleibergen-Paap rk Wald F",
        ),
        ("AndersonRubin", test.statistic, digits, "Anderson-Rubin statistic"),
        ("AndersonRubinP", test.p_value, None, "Anderson-Rubin p-value"),
    ]
    intervals = result.anderson_rubin.confidence_set or ()
    if len(intervals) == 1:
        lower, upper = intervals[0]
        values += [
            ("AndersonRubinLower", lower, digits, "Anderson-Rubin confidence set: lower"),
            ("AndersonRubinUpper", upper, digits, "Anderson-Rubin confidence set: upper"),
        ]
    return _coefficient_macros(prefix, record, settings) + [
        Macro(
            prefix + suffix,
            latex_pvalue(value) if places is None else latex_number(value, places),
            f"{job}: {meaning}",
        )
        for suffix, value, places, meaning in values
        if value is not None
    ]


@register_job_macros("specification_tests")
def specification_test_macros(
    prefix: str, record: PanelJobRecord, settings: RenderSettings
) -> list[Macro]:
    """Statistic, degrees of freedom and p-value of each specification test."""
    macros: list[Macro] = []
    for key in ("poolability", "breusch_pagan", "hausman", "mundlak"):
        test = record.result.test(key)
        name = prefix + macro_name(key)
        macros += [
            Macro(name, latex_number(test.statistic, settings.digits), f"{key} statistic"),
            Macro(f"{name}Df", latex_count(test.df), f"{key}: degrees of freedom"),
            Macro(f"{name}P", latex_pvalue(test.p_value), f"{key}: p"),
        ]
    return macros


@register_job_macros("local_projections")
def local_projection_macros(
    prefix: str, record: PanelJobRecord, settings: RenderSettings
) -> list[Macro]:
    """The effect at each horizon with its sample size."""
    macros: list[Macro] = []
    for entry in record.result.table:
        name = prefix + "Horizon" + macro_name(str(entry.horizon))
        meaning = f"{record.job}: effect at horizon {entry.horizon}"
        macros += _estimate_macros(name, entry, meaning, settings)
        macros.append(Macro(f"{name}N", latex_count(entry.n_obs), f"{meaning}: N"))
    return macros


@register_job_macros("heterogeneity")
def heterogeneity_macros(
    prefix: str, record: PanelJobRecord, settings: RenderSettings
) -> list[Macro]:
    """Split-sample and interaction estimates by group, and the test of equal effects."""
    digits = settings.digits
    job, result = record.job, record.result
    macros = []
    for entry in result.table:
        name = prefix + macro_name(entry.group)
        meaning = f"{job}: group {entry.group}"
        macros += [
            Macro(name, latex_number(entry.split_estimate, digits), f"{meaning}, split"),
            Macro(f"{name}SE", latex_number(entry.split_std_error, digits), f"{meaning}: SE"),
            Macro(f"{name}N", latex_count(entry.split_n_obs), f"{meaning}: observations"),
            Macro(
                f"{name}Interaction",
                latex_number(entry.interaction_estimate, digits),
                f"{meaning}, interaction model",
            ),
            Macro(
                f"{name}InteractionSE",
                latex_number(entry.interaction_std_error, digits),
                f"{meaning}, interaction model: SE",
            ),
        ]
    test = result.equal_effects
    macros += [
        Macro(
            f"{prefix}EqualEffects",
            latex_number(test.statistic, digits),
            f"{job}: Wald test of equal effects",
        ),
        Macro(
            f"{prefix}EqualEffectsP",
            latex_pvalue(test.p_value),
            f"{job}: p-value of the Wald test",
        ),
    ]
    return macros


def panel_macros(
    records: Mapping[str, PanelJobRecord | Mapping[str, Any]],
    settings: RenderSettings | None = None,
) -> list[Macro]:
    """Macros of every panel job record (see the module docstring for the names).

    Parameters
    ----------
    records : mapping
        Job name -> job record, as written by the ``estimate_panel`` rule.
    settings : RenderSettings, optional

    Returns
    -------
    list of Macro
        Jobs of a kind without registered macros (:data:`JOB_MACROS`) give none.
    """
    settings = settings or RenderSettings()
    macros: list[Macro] = []
    for job, record in as_job_records(records).items():
        if record.kind in JOB_MACROS:
            macros += JOB_MACROS[record.kind](macro_name(job), record, settings)
    return macros


def panel_numbers(
    records: Mapping[str, PanelJobRecord | Mapping[str, Any]],
    settings: RenderSettings | None = None,
) -> str:
    """The text of ``results/numbers/panel.tex`` (see :func:`panel_macros`)."""
    return macros_text(panel_macros(records, settings), "Key numbers of the panel models.")


# --------------------------------------------------------------------------- mediation


def mediation_macros(
    results: MediationRecord | Mapping[str, Any], settings: RenderSettings | None = None
) -> list[Macro]:
    """Macros of the mediation results (see the module docstring for the names).

    Parameters
    ----------
    results : MediationRecord
        The mediation results (their JSON dict is read into a record).
    settings : RenderSettings, optional

    Returns
    -------
    list of Macro
    """
    settings = settings or RenderSettings()
    results = as_mediation_record(results)
    digits = settings.digits
    spec = results.spec
    macros = [
        Macro("MediationN", latex_count(results.sample.n_obs), "mediation: observations"),
        Macro("MediationClusters", latex_count(results.sample.n_entities), "mediation: clusters"),
        Macro(
            "BootstrapReplications",
            latex_count(results.bootstrap.n_valid),
            "valid bootstrap replications",
        ),
        Macro("MonteCarloDraws", latex_count(spec.n_mc), "Monte Carlo draws of a x b"),
    ]

    n_valid = results.bootstrap.n_valid or None

    def effect(name: str, entry: Any, meaning: str, se: bool = True) -> list[Macro]:
        found = [
            Macro(name, latex_number(entry.estimate, digits), meaning),
            Macro(f"{name}Lower", latex_number(entry.ci_lower, digits), f"{meaning}: CI lower"),
            Macro(f"{name}Upper", latex_number(entry.ci_upper, digits), f"{meaning}: CI upper"),
        ]
        if se and entry.se is not None:
            found.insert(1, Macro(f"{name}SE", latex_number(entry.se, digits), f"{meaning}: SE"))
        if getattr(entry, "pvalue", None) is not None:
            found.append(
                Macro(
                    f"{name}P",
                    latex_pvalue(entry.pvalue, n_boot=n_valid),
                    f"{meaning}: bootstrap p-value ({spec.ci_method})",
                )
            )
        return found

    macros += effect("TotalEffect", mediation_path(results, "c"), "total effect c")
    macros += effect("DirectEffect", mediation_path(results, "c_prime"), "direct effect c'")
    indirect = {entry.mediator: entry for entry in results.indirect}
    proportion = {entry.mediator: entry for entry in results.proportion_mediated}
    causal = {entry.mediator: entry for entry in results.causal.mediators}
    if TOTAL in indirect:
        macros += effect("TotalIndirectEffect", indirect[TOTAL], "total indirect effect")
    if TOTAL in proportion:
        macros += effect("ProportionMediated", proportion[TOTAL], "proportion mediated", se=False)
    treatment = spec.treatment
    for mediator in spec.mediators:
        name = macro_name(mediator)
        if mediator in indirect:
            macros += effect(
                f"IndirectEffect{name}", indirect[mediator], f"indirect effect through {mediator}"
            )
        for path in ("a", "b"):
            entry = mediation_path(results, path, mediator)
            label = f"{path.upper()}Path{name}"
            meaning = (
                f"{path} path of {mediator} ({treatment} -> {mediator})"
                if path == "a"
                else (f"b path of {mediator} ({mediator} -> {spec.outcome})")
            )
            macros += [
                Macro(label, latex_number(entry.estimate, digits), meaning),
                Macro(f"{label}SE", latex_number(entry.se, digits), f"{meaning}: SE"),
            ]
        if mediator in proportion:
            macros.append(
                Macro(
                    f"ProportionMediated{name}",
                    latex_number(proportion[mediator].estimate, digits),
                    f"proportion mediated by {mediator}",
                )
            )
        if mediator in causal:
            entry = causal[mediator]
            for label, value, interval in (
                ("ACME", entry.acme, entry.acme_ci),
                ("ADE", entry.ade, entry.ade_ci),
            ):
                meaning = f"{label} of {mediator}"
                macros += [
                    Macro(f"{label}{name}", latex_number(value, digits), meaning),
                    Macro(
                        f"{label}{name}Lower",
                        latex_number(interval[0], digits),
                        f"{meaning}: CI lower",
                    ),
                    Macro(
                        f"{label}{name}Upper",
                        latex_number(interval[1], digits),
                        f"{meaning}: CI upper",
                    ),
                ]
            macros.append(
                Macro(
                    f"RhoAtZero{name}",
                    latex_number(entry.rho_at_zero, digits),
                    f"error correlation at which the ACME of {mediator} is zero",
                )
            )
        macros += _inference_macros(results, mediator, settings)
        macros += _identification_macros(results, mediator, settings)
    return macros


def _inference_row(results: MediationRecord, mediator: str, method: str) -> Any:
    """The parallel-model inference row of ``method`` for the indirect effect via ``mediator``."""
    return next(
        (
            row
            for row in results.inference
            if row.effect == f"indirect[{mediator}]" and row.method == method
        ),
        None,
    )


def _inference_macros(
    results: MediationRecord, mediator: str, settings: RenderSettings
) -> list[Macro]:
    """Sobel z and p; Monte Carlo and BCa intervals and p-values of one indirect effect."""
    digits = settings.digits
    name = macro_name(mediator)
    macros: list[Macro] = []
    sobel = _inference_row(results, mediator, "sobel")
    if sobel is not None:
        meaning = f"Sobel test of the indirect effect through {mediator}"
        macros += [
            Macro(f"SobelZ{name}", latex_number(sobel.statistic, digits), f"{meaning}: z"),
            Macro(f"SobelZ{name}P", latex_pvalue(sobel.pvalue), f"{meaning}: p-value"),
        ]
    for method, label, floor in (
        ("monte_carlo", "MonteCarlo", results.spec.n_mc),
        ("bca", "BCa", results.bootstrap.n_valid),
    ):
        row = _inference_row(results, mediator, method)
        if row is None:
            continue
        words = "Monte Carlo" if method == "monte_carlo" else label
        meaning = f"{words} interval of the indirect effect through {mediator}"
        macros += [
            Macro(f"{label}{name}Lower", latex_number(row.ci_lower, digits), f"{meaning}: lower"),
            Macro(f"{label}{name}Upper", latex_number(row.ci_upper, digits), f"{meaning}: upper"),
            Macro(
                f"{label}{name}P",
                latex_pvalue(row.pvalue, n_boot=floor or None),
                f"{meaning}: p-value",
            ),
        ]
    return macros


def _identification_macros(
    results: MediationRecord, mediator: str, settings: RenderSettings
) -> list[Macro]:
    """The FE and FE-IV effects of the treatment on the mechanism (estimate, SE, p, interval)."""
    entry = results.identification.effect(mediator)
    if entry is None:
        return []
    digits = settings.digits
    name = macro_name(mediator)
    treatment = results.spec.treatment
    macros: list[Macro] = []
    for label, prefix, design in (("FEEffect", "fe", "FE"), ("FEIVEffect", "iv", "FE-IV")):
        estimate = getattr(entry, f"{prefix}_estimate")
        if estimate is None:
            continue
        meaning = f"{design} effect of {treatment} on {mediator}"
        values = (
            ("", latex_number(estimate, digits), meaning),
            ("SE", latex_number(getattr(entry, f"{prefix}_se"), digits), f"{meaning}: SE"),
            ("P", latex_pvalue(getattr(entry, f"{prefix}_pvalue")), f"{meaning}: p-value"),
            (
                "Lower",
                latex_number(getattr(entry, f"{prefix}_ci_lower"), digits),
                f"{meaning}: CI lower",
            ),
            (
                "Upper",
                latex_number(getattr(entry, f"{prefix}_ci_upper"), digits),
                f"{meaning}: CI upper",
            ),
        )
        macros += [Macro(f"{label}{name}{suffix}", value, text) for suffix, value, text in values]
    return macros


def mediation_numbers(
    results: MediationRecord | Mapping[str, Any], settings: RenderSettings | None = None
) -> str:
    """The text of ``results/numbers/mediation.tex`` (see :func:`mediation_macros`)."""
    return macros_text(
        mediation_macros(results, settings), "Key numbers of the mediation analysis."
    )
