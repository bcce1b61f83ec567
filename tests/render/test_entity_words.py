"""Table notes that name the entity call it as ``data.entity_label`` does.

The notes of the panel tables speak of the entity ("within-cluster variation", "standard errors
clustered at the cluster (entity) level"). With ``data.entity_label`` firm they say firm, 企业
in Chinese; without it, or with the default label cluster, their text is the default text
byte for byte, so the default exhibits do not change.
"""

from __future__ import annotations

import pytest

from govcluster.config import EntityLabel
from govcluster.render.labels import ENTITY_TEMPLATES, entity_word, word
from govcluster.render.panel_records import covariance_label, covariance_text

FIRM = EntityLabel("firm", "企业", plural="firms")


@pytest.mark.parametrize("key", sorted(ENTITY_TEMPLATES))
@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_default_entity_gives_the_default_text(key, language):
    assert entity_word(key, language) == word(key, language)
    assert entity_word(key, language, EntityLabel("cluster", "集群")) == word(key, language)


@pytest.mark.parametrize("key", sorted(ENTITY_TEMPLATES))
def test_a_firm_panel_reads_firm_in_every_note(key):
    english, chinese = entity_word(key, "en", FIRM), entity_word(key, "zh", FIRM)
    assert "firm" in english.lower() and "企业" in chinese
    assert "集群" not in chinese
    # "cluster" is left only where it means the clustering of the standard errors
    assert "cluster (entity)" not in english.lower() and "cluster mean" not in english
    assert "within-cluster" not in english and "cluster effects" not in english


def test_the_panel_notes_speak_of_firms():
    within = entity_word("within_note", "en", FIRM)
    assert "share of the within-firm variation explained" in within
    assert "(pooled data, firm means, first differences)" in within
    assert "Number of SE clusters" in within  # the count of the clustering keeps its name
    tests = entity_word("tests_note", "en", FIRM).format(estimator="FE", controls="size")
    assert "(null: all firm effects are equal)" in tests
    assert covariance_text("cluster_entity", "", "en", entity_label=FIRM) == (
        "standard errors clustered at the firm (entity) level"
    )
    twoway = covariance_label("cluster_twoway", "", "zh", entity_label=FIRM)
    assert twoway == "企业（个体）与年份双向聚类"
    assert covariance_label("cluster_entity", "", "en") == "Cluster (entity)"  # the default
