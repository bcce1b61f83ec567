"""The coefficients a regression table shows and what is printed under each.

Selection, order and names (``render.coefficients``) and the statistic under a coefficient
(``render.below``).

The options, all optional (the defaults print every coefficient of interest and every
control, with its standard error)::

    render:
      below: se            # se | t | p | ci: under each coefficient, in parentheses
                           # (the confidence interval in brackets)
      coefficients:
        keep: [GOV, GOV_lag1]       # only these terms (names as estimated; lags GOV_lag1)
        drop: [ln_firms]            # leave these out
        order: [GOV_lag1, GOV]      # these first, in this order; the others as estimated
        rename: {GOV: "Government support"}   # row label of a term
        controls: collapse          # show | collapse: one "Controls: Yes/No" row instead

This is what ``esttab``'s ``keep()``, ``drop()``, ``order()``, ``rename()`` and
``indicate()`` and ``modelsummary``'s ``coef_map`` and ``statistic`` do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from govcluster.errors import ConfigError
from govcluster.render.formatting import (
    DEFAULT_STARS,
    format_coefficient,
    format_interval,
    format_number,
    format_pvalue,
    significance_stars,
)

#: What is printed under a coefficient.
BelowChoice = Literal["se", "t", "p", "ci"]
BELOW_CHOICES: tuple[str, ...] = get_args(BelowChoice)

#: How the control coefficients are shown.
ControlsDisplay = Literal["show", "collapse"]
CONTROLS_CHOICES: tuple[str, ...] = get_args(ControlsDisplay)


def check_below(value: Any) -> str:
    """``value`` if it is a choice of ``render.below``; a :class:`ConfigError` otherwise."""
    if value not in BELOW_CHOICES:
        raise ConfigError(
            f"render.below must be one of {list(BELOW_CHOICES)} (standard error, t statistic, "
            f"p-value or confidence interval under each coefficient), got {value!r}"
        )
    return str(value)


@dataclass(frozen=True)
class CoefficientDisplay:
    """Selection, order and names of the coefficients of regression tables.

    Attributes
    ----------
    keep : tuple of str or None
        Only these terms (None: all).
    drop : tuple of str
        Terms left out.
    order : tuple of str
        Terms put first, in this order; the others follow in their own order.
    rename : mapping
        Term -> row label, replacing the label from the configuration.
    controls : {"show", "collapse"}
        Print the control coefficients, or one row "Controls: Yes/No" per model.
    """

    keep: tuple[str, ...] | None = None
    drop: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    rename: Mapping[str, str] = field(default_factory=dict)
    controls: ControlsDisplay = "show"

    def __post_init__(self) -> None:
        if self.controls not in CONTROLS_CHOICES:
            raise ConfigError(
                f"render.coefficients.controls must be one of {list(CONTROLS_CHOICES)}, "
                f"got {self.controls!r}"
            )
        for name in ("keep", "drop", "order"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise ConfigError(
                    f"render.coefficients.{name} must be a list of term names, got {value!r}"
                )
            object.__setattr__(self, name, tuple(value))
        if not isinstance(self.rename, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.rename.items()
        ):
            raise ConfigError(
                f"render.coefficients.rename must map term names to labels, got {self.rename!r}"
            )
        object.__setattr__(self, "rename", dict(self.rename))

    @property
    def collapse_controls(self) -> bool:
        """Whether the controls are one Yes/No row."""
        return self.controls == "collapse"

    def select(self, terms: Sequence[str]) -> list[str]:
        """``terms`` kept, without the dropped ones, the ``order`` ones first."""
        kept = [t for t in terms if (self.keep is None or t in self.keep) and t not in self.drop]
        first = [t for t in self.order if t in kept]
        return first + [t for t in kept if t not in first]

    def label(self, term: str, default: str) -> str:
        """The row label of ``term``: its ``rename`` entry, else ``default``."""
        return self.rename.get(term, default)


def coefficient_display(raw: Mapping[str, Any] | None) -> CoefficientDisplay:
    """The :class:`CoefficientDisplay` of a configuration dict (``render.coefficients``).

    Raises
    ------
    ConfigError
        If a key is unknown or has a value that cannot be used.
    """
    section = ((raw or {}).get("render") or {}).get("coefficients") or {}
    if not isinstance(section, Mapping):
        raise ConfigError(f"render.coefficients must be a mapping, got {section!r}")
    unknown = sorted(set(section) - {"keep", "drop", "order", "rename", "controls"})
    if unknown:
        raise ConfigError(
            f"render.coefficients has unknown key(s) {unknown}; "
            "allowed: keep, drop, order, rename, controls"
        )
    keep = section.get("keep")
    return CoefficientDisplay(
        keep=None if keep is None else keep,
        drop=section.get("drop") or (),
        order=section.get("order") or (),
        rename=section.get("rename") or {},
        controls=section.get("controls", "show"),
    )


def coefficient_cells(
    estimate: Any,
    std_error: Any,
    p_value: Any,
    ci_lower: Any = None,
    ci_upper: Any = None,
    *,
    stars: Sequence[float] = DEFAULT_STARS,
    digits: int = 3,
    below: str = "se",
) -> tuple[str, str]:
    """The two cells of a coefficient: the estimate with stars, and what ``below`` asks for.

    ``se`` and ``t`` in parentheses as :func:`~govcluster.render.formatting.format_coefficient`;
    ``p`` the p-value in parentheses; ``ci`` the confidence interval in brackets (an empty
    cell when the bounds are missing).
    """
    check_below(below)
    if below in ("se", "t"):
        return format_coefficient(
            estimate, std_error, p_value, stars=stars, digits=digits, below=below
        )
    if estimate is None or estimate != estimate:  # missing or NaN
        return "", ""
    first = format_number(estimate, digits) + significance_stars(p_value, stars)
    if below == "p":
        text = format_pvalue(p_value)
        return first, f"({text})" if text else ""
    if ci_lower is None or ci_upper is None or ci_lower != ci_lower or ci_upper != ci_upper:
        return first, ""
    return first, format_interval(ci_lower, ci_upper, digits)


def below_note_key(below: str) -> str:
    """Vocabulary key of the note that says what is under the coefficients."""
    return {"se": "se_note", "t": "t_note", "p": "p_note", "ci": "ci_note"}[check_below(below)]
