"""govcluster.user_names: the user's names of the entity and the time, and the renaming."""

import pandas as pd
import pytest

from govcluster.config import build_config
from govcluster.user_names import UserNames, english_plural, user_names


def config(**data):
    base = {"path": "data/raw/panel.csv", "entity": "firm_id", "time": "fyear"}
    base.update(data)
    return build_config(
        {
            "simulate": {"enabled": False},
            "data": base,
            "variables": {"output": {"column": "产值", "kind": "amount"}},
            "constructs": {"SCA": {"indicators": {"output": 1}}},
            "roles": {"treatment": "SCA", "mediators": [], "outcome": "SCA"},
        }
    )


def test_names_come_from_the_data_configuration():
    names = user_names(config(entity_label={"en": "city", "zh": "城市"}, time_kind="quarter"))
    assert (names.entity, names.time) == ("firm_id", "fyear")
    assert (names.entity_noun, names.entity_plural) == ("city", "cities")
    assert (names.time_noun, names.time_plural) == ("quarter", "quarters")
    assert names.to_dict() == {"entity": "firm_id", "time": "fyear"}


def test_the_default_names_are_the_pipelines():
    names = user_names(config(entity="cluster_id", time="year"))
    assert names == UserNames()
    table = pd.DataFrame({"cluster_id": ["A"], "year": [2010]})
    assert names.to_user(table) is table


def test_without_entity_or_time_column_the_records_say_entity_and_period():
    names = user_names(config(entity=None, time=None))
    assert (names.entity, names.time, names.time_noun) == ("entity", "period", "period")


@pytest.mark.parametrize(
    ("noun", "plural"), [("firm", "firms"), ("city", "cities"), ("business", "businesses")]
)
def test_english_plural(noun, plural):
    assert english_plural(noun) == plural


def test_renaming_there_and_back():
    names = UserNames(entity="firm_id", time="fyear")
    table = pd.DataFrame({"step": ["a"], "cluster_id": ["F1"], "year": [2003], "v": [1.0]})
    user = names.to_user(table)
    assert list(user.columns) == ["step", "firm_id", "fyear", "v"]
    pd.testing.assert_frame_equal(names.to_canonical(user), table)
    assert names.key("F0012", 2003) == "firm_id=F0012, fyear=2003"
    assert names.key(pd.NA, 2003) == "firm_id=(missing), fyear=2003"


def test_a_name_another_column_has_is_not_used():
    names = UserNames(entity="variable", time="fyear")
    table = pd.DataFrame({"variable": ["x"], "cluster_id": ["F1"], "year": [2003]})
    assert list(names.to_user(table).columns) == ["variable", "cluster_id", "fyear"]


def test_entity_slug_for_column_names():
    assert UserNames(entity_noun="business group").entity_slug == "business_group"
    assert UserNames().entity_slug == "cluster"
