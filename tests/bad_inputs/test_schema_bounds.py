"""The configuration schema and the code agree on every bound of the mediation settings.

For each bounded setting the schema's limit is the code's: the value just inside the limit
passes the code's own check (it fails later, on the empty data, for another reason), and the
value just outside is rejected by both the schema and the code.
"""

import pandas as pd
import pytest

from govcluster.config import load_schema
from govcluster.errors import GovclusterError
from govcluster.mediation.analysis import panel_mediation

SCHEMA = load_schema()["properties"]["mediation"]["properties"]

CASES = [
    # setting, value the schema accepts at its limit, value just outside
    ("n_boot", SCHEMA["n_boot"]["minimum"], SCHEMA["n_boot"]["minimum"] - 1),
    ("n_mc", SCHEMA["n_mc"]["minimum"], SCHEMA["n_mc"]["minimum"] - 1),
    ("ci_level", SCHEMA["ci_level"]["minimum"], SCHEMA["ci_level"]["minimum"] - 0.01),
]


def _code_message(setting, value):
    """The code's complaint about ``value`` (empty data: any later failure is not about it)."""
    try:
        panel_mediation(
            pd.DataFrame({"cluster_id": [], "year": [], "GOV": [], "M": [], "SCA": []}),
            treatment="GOV",
            mediators=["M"],
            outcome="SCA",
            seed=1,
            **{setting: value},
        )
    except (GovclusterError, ValueError, KeyError) as error:
        return str(error)
    return ""


@pytest.mark.parametrize(("setting", "inside", "outside"), CASES, ids=[c[0] for c in CASES])
def test_schema_and_code_share_the_limit(setting, inside, outside):
    assert not _code_message(setting, inside).startswith(setting)
    message = _code_message(setting, outside)
    assert message.startswith(setting), message
