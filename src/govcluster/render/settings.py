"""How numbers are printed in the rendered exhibits: the ``render`` section of the configuration.

The section is optional; every key has a default::

    render:
      below: se             # se | t | p | ci: what goes under a coefficient
      digits: 3             # decimals of estimates, standard errors and statistics
      stars: [0.10, 0.05, 0.01]   # significance thresholds of one, two and three stars
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govcluster.errors import ConfigError
from govcluster.render.coefficients import BelowChoice, check_below
from govcluster.render.formatting import DEFAULT_STARS, check_thresholds

#: Defaults of the ``render`` section.
DEFAULT_BELOW: BelowChoice = "se"
DEFAULT_DIGITS = 3


@dataclass(frozen=True)
class RenderSettings:
    """Printing conventions shared by every table, figure label and number macro.

    Attributes
    ----------
    below : {"se", "t", "p", "ci"}
        Standard error, t statistic or p-value in parentheses, or the confidence interval in
        brackets, under a coefficient.
    digits : int
        Decimals of estimates, standard errors and test statistics.
    stars : tuple of float
        Significance thresholds, largest first (one star for the largest).
    """

    below: BelowChoice = DEFAULT_BELOW
    digits: int = DEFAULT_DIGITS
    stars: tuple[float, ...] = DEFAULT_STARS

    def __post_init__(self) -> None:
        check_below(self.below)
        if (
            not isinstance(self.digits, int)
            or isinstance(self.digits, bool)
            or not (0 <= self.digits <= 8)
        ):
            raise ConfigError(f"render.digits must be an integer from 0 to 8, got {self.digits!r}")
        try:
            thresholds = check_thresholds(self.stars)
        except (TypeError, ValueError) as error:
            raise ConfigError(f"render.stars: {error}") from None
        object.__setattr__(self, "stars", thresholds)


def render_settings(raw: Mapping[str, Any] | None) -> RenderSettings:
    """The :class:`RenderSettings` of a configuration dict (its optional ``render`` section).

    Parameters
    ----------
    raw : mapping or None
        The whole configuration (``ProjectConfig.raw``); a missing or null ``render`` section,
        or missing keys, take the defaults.

    Returns
    -------
    RenderSettings

    Raises
    ------
    ConfigError
        If a key has a value that cannot be used.
    """
    section = dict((raw or {}).get("render") or {})
    return RenderSettings(
        below=section.get("below", DEFAULT_BELOW),
        digits=section.get("digits", DEFAULT_DIGITS),
        stars=tuple(section.get("stars", DEFAULT_STARS)),
    )
