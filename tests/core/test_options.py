"""Run-time checking of Literal options (also importable from govcluster.panel.spec)."""

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


def test_the_name_may_be_positional_and_panel_spec_re_exports_it() -> None:
    from govcluster.panel.spec import check_option as from_spec

    assert from_spec is check_option
    with pytest.raises(EstimationError, match="weights='x' is not an option"):
        from_spec("x", Literal["rademacher", "webb"], "weights")
