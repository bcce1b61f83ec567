"""Run-time checking of Literal options."""

from __future__ import annotations

from typing import Literal

import pytest

from govcluster.core.options import check_option
from govcluster.errors import EstimationError

Effects = Literal["twoway", "entity", "none"]


def test_allowed_value_passes() -> None:
    check_option("entity", Effects, name="effects")


def test_message_names_the_option_the_value_and_the_choices() -> None:
    with pytest.raises(EstimationError) as info:
        check_option("random", Effects, name="effects")
    assert str(info.value) == (
        "effects='random' is not an option; use one of 'twoway', 'entity', 'none'."
    )
