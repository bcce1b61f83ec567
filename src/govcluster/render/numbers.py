r"""Numbers in the text of a paper: one LaTeX macro per key number.

A paper that ``\input``\ s ``results/numbers/panel.tex`` and ``results/numbers/mediation.tex``
writes ``the two-way fixed-effects estimate is \BaselineTwowayFeGOV{}
(s.e.\ \BaselineTwowayFeGOVSE{})`` instead of copying numbers, so the text always shows the
estimates of the last run. Macro names are letters only (LaTeX does not allow digits or
underscores in them): names are joined in CamelCase, digits spelled out
(``GOV_lag1`` -> ``GOVLagOne``) and other characters dropped.

Values are printed as in the tables (:class:`~govcluster.render.settings.RenderSettings`
decimals; counts with thousands separators; p-values with three decimals), the minus sign as
``\ensuremath{-}`` so a macro works in text and in math.

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
                       ``\ProportionMediated<M>``, ``\ACME<M>``, ``\RhoAtZero<M>``;
                       ``\MediationN``, ``\MediationClusters``, ``\BootstrapReplications``
=====================  ==============================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from govcluster.render.formatting import format_count, format_number
from govcluster.render.mediation_tables import TOTAL, mediation_path
from govcluster.render.panel_tables import (
    P_DIGITS,
    coefficient,
    key_terms,
    result_of,
)
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
    """A count for a macro, with thousands separators."""
    return _latex_minus(format_count(value))


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
    prefix: str, entry: Mapping[str, Any] | None, meaning: str, settings: RenderSettings
) -> list[Macro]:
    if not entry:
        return []
    digits = settings.digits
    return [
        Macro(prefix, latex_number(entry.get("estimate"), digits), meaning),
        Macro(f"{prefix}SE", latex_number(entry.get("std_error"), digits), f"{meaning}: SE"),
        Macro(f"{prefix}P", latex_number(entry.get("p_value"), P_DIGITS), f"{meaning}: p-value"),
        Macro(
            f"{prefix}Lower", latex_number(entry.get("ci_lower"), digits), f"{meaning}: CI lower"
        ),
        Macro(
            f"{prefix}Upper", latex_number(entry.get("ci_upper"), digits), f"{meaning}: CI upper"
        ),
    ]


def _sample_macros(prefix: str, result: Mapping[str, Any], job: str) -> list[Macro]:
    macros = [Macro(f"{prefix}N", latex_count(result.get("n_obs")), f"{job}: observations")]
    if result.get("n_clusters") is not None:
        macros.append(
            Macro(f"{prefix}Clusters", latex_count(result["n_clusters"]), f"{job}: clusters")
        )
    return macros


def panel_macros(
    records: Mapping[str, Mapping[str, Any]], settings: RenderSettings | None = None
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
    """
    settings = settings or RenderSettings()
    digits = settings.digits
    macros: list[Macro] = []
    for job, record in records.items():
        kind = record.get("kind")
        result = result_of(record)
        prefix = macro_name(job)
        if kind in ("baseline", "iv"):
            for term in key_terms([result]):
                macros += _estimate_macros(
                    prefix + macro_name(term),
                    coefficient(result, term),
                    f"{job}: coefficient of {term}",
                    settings,
                )
            macros += _sample_macros(prefix, result, job)
            within = result.get("estimator") not in ("between", "first_difference")
            if kind == "baseline" and within and result.get("r2_within") is not None:
                macros.append(
                    Macro(
                        f"{prefix}WithinRsq",
                        latex_number(result["r2_within"], digits),
                        f"{job}: within R-squared",
                    )
                )
        if kind == "iv":
            macros += _iv_macros(prefix, result, job, settings)
        elif kind == "specification_tests":
            for key in ("poolability", "breusch_pagan", "hausman", "mundlak"):
                test = result.get(key)
                if not test:
                    continue
                name = prefix + macro_name(key)
                macros += [
                    Macro(name, latex_number(test.get("statistic"), digits), f"{key} statistic"),
                    Macro(f"{name}Df", latex_count(test.get("df")), f"{key}: degrees of freedom"),
                    Macro(f"{name}P", latex_number(test.get("p_value"), P_DIGITS), f"{key}: p"),
                ]
        elif kind == "local_projections":
            for entry in result.get("table", []):
                name = prefix + "Horizon" + macro_name(str(entry["horizon"]))
                meaning = f"{job}: effect at horizon {entry['horizon']}"
                macros += _estimate_macros(name, entry, meaning, settings)
                macros.append(Macro(f"{name}N", latex_count(entry.get("n_obs")), f"{meaning}: N"))
        elif kind == "heterogeneity":
            macros += _heterogeneity_macros(prefix, result, job, settings)
    return macros


def _iv_macros(
    prefix: str, result: Mapping[str, Any], job: str, settings: RenderSettings
) -> list[Macro]:
    digits = settings.digits
    stage = (result.get("first_stages") or [{}])[0]
    anderson_rubin = result.get("anderson_rubin") or {}
    test = anderson_rubin.get("test") or {}
    values = [
        ("FirstStageF", stage.get("f_statistic"), digits, "first-stage F"),
        ("PartialRsq", stage.get("partial_r2"), digits, "partial R-squared of the instruments"),
        (
            "KleibergenPaapF",
            result.get("kleibergen_paap_rk_wald_f"),
            digits,
            "Kleibergen-Paap rk Wald F",
        ),
        ("AndersonRubin", test.get("statistic"), digits, "Anderson-Rubin statistic"),
        ("AndersonRubinP", test.get("p_value"), P_DIGITS, "Anderson-Rubin p-value"),
    ]
    intervals = anderson_rubin.get("confidence_set") or []
    if len(intervals) == 1:
        lower, upper = intervals[0]
        values += [
            ("AndersonRubinLower", lower, digits, "Anderson-Rubin confidence set: lower"),
            ("AndersonRubinUpper", upper, digits, "Anderson-Rubin confidence set: upper"),
        ]
    return [
        Macro(prefix + suffix, latex_number(value, places), f"{job}: {meaning}")
        for suffix, value, places, meaning in values
        if value is not None
    ]


def _heterogeneity_macros(
    prefix: str, result: Mapping[str, Any], job: str, settings: RenderSettings
) -> list[Macro]:
    digits = settings.digits
    macros = []
    for entry in result.get("table", []):
        name = prefix + macro_name(entry["group"])
        meaning = f"{job}: group {entry['group']}"
        macros += [
            Macro(name, latex_number(entry.get("split_estimate"), digits), f"{meaning}, split"),
            Macro(
                f"{name}SE", latex_number(entry.get("split_std_error"), digits), f"{meaning}: SE"
            ),
            Macro(f"{name}N", latex_count(entry.get("split_n_obs")), f"{meaning}: observations"),
            Macro(
                f"{name}Interaction",
                latex_number(entry.get("interaction_estimate"), digits),
                f"{meaning}, interaction model",
            ),
            Macro(
                f"{name}InteractionSE",
                latex_number(entry.get("interaction_std_error"), digits),
                f"{meaning}, interaction model: SE",
            ),
        ]
    test = result.get("equal_effects") or {}
    if test:
        macros += [
            Macro(
                f"{prefix}EqualEffects",
                latex_number(test.get("statistic"), digits),
                f"{job}: Wald test of equal effects",
            ),
            Macro(
                f"{prefix}EqualEffectsP",
                latex_number(test.get("p_value"), P_DIGITS),
                f"{job}: p-value of the Wald test",
            ),
        ]
    return macros


def panel_numbers(
    records: Mapping[str, Mapping[str, Any]], settings: RenderSettings | None = None
) -> str:
    """The text of ``results/numbers/panel.tex`` (see :func:`panel_macros`)."""
    return macros_text(panel_macros(records, settings), "Key numbers of the panel models.")


# --------------------------------------------------------------------------- mediation


def mediation_macros(
    results: Mapping[str, Any], settings: RenderSettings | None = None
) -> list[Macro]:
    """Macros of the mediation results (see the module docstring for the names).

    Parameters
    ----------
    results : mapping
        The mediation JSON.
    settings : RenderSettings, optional

    Returns
    -------
    list of Macro
    """
    settings = settings or RenderSettings()
    digits = settings.digits
    spec = results["spec"]
    sample = results.get("sample", {})
    macros = [
        Macro("MediationN", latex_count(sample.get("n_obs")), "mediation: observations"),
        Macro("MediationClusters", latex_count(sample.get("n_entities")), "mediation: clusters"),
        Macro(
            "BootstrapReplications",
            latex_count(results.get("bootstrap", {}).get("n_valid")),
            "valid bootstrap replications",
        ),
    ]

    def effect(name: str, entry: Mapping[str, Any], meaning: str, se: str = "se") -> list[Macro]:
        found = [
            Macro(name, latex_number(entry.get("estimate"), digits), meaning),
            Macro(
                f"{name}Lower", latex_number(entry.get("ci_lower"), digits), f"{meaning}: CI lower"
            ),
            Macro(
                f"{name}Upper", latex_number(entry.get("ci_upper"), digits), f"{meaning}: CI upper"
            ),
        ]
        if se and entry.get(se) is not None:
            found.insert(1, Macro(f"{name}SE", latex_number(entry[se], digits), f"{meaning}: SE"))
        return found

    macros += effect("TotalEffect", mediation_path(results, "c"), "total effect c")
    macros += effect("DirectEffect", mediation_path(results, "c_prime"), "direct effect c'")
    indirect = {entry["mediator"]: entry for entry in results.get("indirect", [])}
    proportion = {entry["mediator"]: entry for entry in results.get("proportion_mediated", [])}
    causal = {entry["mediator"]: entry for entry in results.get("causal", {}).get("mediators", [])}
    if TOTAL in indirect:
        macros += effect("TotalIndirectEffect", indirect[TOTAL], "total indirect effect")
    if TOTAL in proportion:
        macros += effect("ProportionMediated", proportion[TOTAL], "proportion mediated", se="")
    treatment = spec["treatment"]
    for mediator in spec["mediators"]:
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
                else (f"b path of {mediator} ({mediator} -> {spec['outcome']})")
            )
            macros += [
                Macro(label, latex_number(entry.get("estimate"), digits), meaning),
                Macro(f"{label}SE", latex_number(entry.get("se"), digits), f"{meaning}: SE"),
            ]
        if mediator in proportion:
            macros.append(
                Macro(
                    f"ProportionMediated{name}",
                    latex_number(proportion[mediator].get("estimate"), digits),
                    f"proportion mediated by {mediator}",
                )
            )
        if mediator in causal:
            macros += [
                Macro(
                    f"ACME{name}",
                    latex_number(causal[mediator].get("acme"), digits),
                    f"ACME of {mediator}",
                ),
                Macro(
                    f"RhoAtZero{name}",
                    latex_number(causal[mediator].get("rho_at_zero"), digits),
                    f"error correlation at which the ACME of {mediator} is zero",
                ),
            ]
    return macros


def mediation_numbers(results: Mapping[str, Any], settings: RenderSettings | None = None) -> str:
    """The text of ``results/numbers/mediation.tex`` (see :func:`mediation_macros`)."""
    return macros_text(
        mediation_macros(results, settings), "Key numbers of the mediation analysis."
    )
