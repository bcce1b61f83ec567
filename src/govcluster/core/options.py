"""Run-time checking of options typed as ``Literal``."""

from __future__ import annotations

from typing import Any, get_args

from govcluster.errors import EstimationError


def check_option(value: object, options: Any, name: str) -> None:
    """Raise unless ``value`` is one of the values of the ``Literal`` type ``options``.

    Parameters
    ----------
    value : object
        The value given by the user.
    options : typing.Literal
        The allowed values, e.g. ``Literal["twoway", "entity", "none"]``.
    name : str
        Name of the option, shown in the message.

    Raises
    ------
    EstimationError
        Naming the option, the value given and the allowed values, e.g.
        ``effects='random' is not an option; use one of 'twoway', 'entity', 'none'.``
    """
    allowed = get_args(options)
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise EstimationError(f"{name}={value!r} is not an option; use one of {shown}.")
