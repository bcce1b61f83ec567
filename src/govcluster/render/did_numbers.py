r"""Numbers of the ``did`` stage in the text: ``results/numbers/did.tex``, one macro per number.

Conventions of :mod:`govcluster.render.numbers` (letters-only CamelCase names, values as in the
tables, minus as ``\ensuremath{-}``). ``<O>`` is the outcome and ``<E>`` the estimator in
CamelCase (``Twfe``, ``CallawaySantanna``, ``SunAbraham``, ``Imputation``):

=====================  ==============================================================
macro                  number
=====================  ==============================================================
``\Did<O><E>``         overall ATT of estimator ``<E>``; with ``SE``, ``Lower``,
                       ``Upper`` and ``PretrendP`` (its joint pre-trend test p-value)
``\Did<O>TwfeMinusCallawaySantanna``  static TWFE minus the Callaway-Sant'Anna ATT
``\Did<O>BaconForbiddenWeight``       weight of the later-vs-earlier comparisons
``\Did<O>Breakdown<R>``  HonestDiD breakdown value under restriction ``<R>``
                       (``RelativeMagnitude``, ``Smoothness``)
``\Did<O>PerUnit<I>``  Wald-DiD effect per unit of the intensity ``<I>``; ``SE``,
                       ``Lower``, ``Upper``
``\Did<O><E>PermutationP``  two-sided randomization-inference p-value of estimator
                       ``<E>`` (adoption years permuted across clusters)
``\DidPermutations``   number of permutations of the randomization inference
``\DidClusters``, ``\DidNeverTreated``, ``\DidCohorts``  units, never-treated units and
                       cohorts of the sample (of the first outcome)
=====================  ==============================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govcluster.render.numbers import (
    Macro,
    latex_count,
    latex_number,
    latex_pvalue,
    macro_name,
    macros_text,
)
from govcluster.render.settings import RenderSettings

FORBIDDEN = "later vs earlier treated (forbidden)"


def _interval_macros(stem: str, row: Mapping[str, Any], meaning: str, digits: int) -> list[Macro]:
    return [
        Macro(stem, latex_number(row.get("estimate"), digits), meaning),
        Macro(f"{stem}SE", latex_number(row.get("se"), digits), f"{meaning}: SE"),
        Macro(f"{stem}Lower", latex_number(row.get("ci_lower"), digits), f"{meaning}: CI lower"),
        Macro(f"{stem}Upper", latex_number(row.get("ci_upper"), digits), f"{meaning}: CI upper"),
    ]


def _outcome_macros(outcome: Mapping[str, Any], digits: int) -> list[Macro]:
    name = outcome["outcome"]
    macros: list[Macro] = []
    overall = {}
    for result in outcome["estimators"]:
        row = next(r for r in result["aggregations"] if r["level"] == "overall")
        overall[result["estimator"]] = row["estimate"]
        stem = macro_name("did", name, result["estimator"])
        meaning = f"{result['estimator']} overall ATT on {name}"
        macros += _interval_macros(stem, row, meaning, digits)
        p_value = (result.get("pretrend") or {}).get("p_value")
        macros.append(
            Macro(f"{stem}PretrendP", latex_pvalue(p_value), f"{meaning}: pre-trend test p-value")
        )
    if "twfe" in overall and "callaway_santanna" in overall:
        macros.append(
            Macro(
                macro_name("did", name, "twfe_minus_callaway_santanna"),
                latex_number(overall["twfe"] - overall["callaway_santanna"], digits),
                f"static TWFE minus Callaway-Sant'Anna ATT on {name}",
            )
        )
    bacon = outcome.get("bacon")
    if bacon:
        forbidden = next((t for t in bacon["by_type"] if t["type"] == FORBIDDEN), None)
        if forbidden is not None:
            macros.append(
                Macro(
                    macro_name("did", name, "bacon_forbidden_weight"),
                    latex_number(forbidden["weight"], digits),
                    f"Goodman-Bacon weight of later-vs-earlier comparisons, {name}",
                )
            )
    for honest in outcome.get("honest") or ():
        macros.append(
            Macro(
                macro_name("did", name, "breakdown", honest["method"]),
                latex_number(honest.get("breakdown_M"), digits),
                f"HonestDiD breakdown value ({honest['method']}), {name}",
            )
        )
    intensity = outcome.get("intensity")
    if intensity:
        stem = macro_name("did", name, "per_unit", intensity["intensity"])
        meaning = f"Wald-DiD effect on {name} per unit of {intensity['intensity']}"
        macros += _interval_macros(stem, intensity, meaning, digits)
    for ri in outcome.get("randomization") or ():
        macros.append(
            Macro(
                macro_name("did", name, ri["estimator"], "permutation_p"),
                latex_pvalue(ri["p_value"]),
                f"{ri['estimator']} on {name}: randomization-inference p-value",
            )
        )
    return macros


def did_macros(records: Mapping[str, Any], settings: RenderSettings | None = None) -> list[Macro]:
    """Macros of every outcome's did record (see the module docstring for the names).

    Parameters
    ----------
    records : mapping
        Outcome -> did record (dict of :class:`govcluster.did.results.DidResults`).
    settings : RenderSettings, optional
        Decimals (default: the render defaults).
    """
    digits = (settings or RenderSettings()).digits
    records = list(records.values())
    macros: list[Macro] = []
    if records:
        sample = records[0]["sample"]
        macros += [
            Macro("DidClusters", latex_count(sample["n_units"]), "units in the did sample"),
            Macro(
                "DidNeverTreated",
                latex_count(sample["n_never_treated"]),
                "never-treated units in the did sample",
            ),
            Macro("DidCohorts", latex_count(len(sample["cohorts"])), "treatment cohorts"),
        ]
        permutations = [
            ri["n_permutations"]
            for record in records
            for outcome in record["outcomes"]
            for ri in outcome.get("randomization") or ()
        ]
        if permutations:
            macros.append(
                Macro(
                    "DidPermutations",
                    latex_count(permutations[0]),
                    "permutations of the randomization inference",
                )
            )
    for record in records:
        for outcome in record["outcomes"]:
            macros += _outcome_macros(outcome, digits)
    return macros


def did_numbers(records: Mapping[str, Any], settings: RenderSettings | None = None) -> str:
    """The text of ``results/numbers/did.tex`` (see :func:`did_macros`)."""
    return macros_text(did_macros(records, settings), "Key numbers of the did stage.")
