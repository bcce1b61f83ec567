"""The did exhibits build from stored records in both languages and write every format."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.figure import Figure

from govcluster.config import load_config
from govcluster.render.catalog import build_exhibit, write_exhibit
from govcluster.render.plan import planned_exhibits
from govcluster.render.tables import Table

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def did_sources(did_records) -> dict:
    return {"did": did_records}


@pytest.mark.exhibits
@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_did_exhibit_builds_and_writes(did_sources, language, tmp_path):
    project = load_config(ROOT / "config" / "config.yaml", overrides={"language": language})
    exhibits = [e for e in planned_exhibits(project) if e.stage == "did"]
    assert {e.name for e in exhibits} >= {
        "did_att",
        "did_event_study",
        "did_event_study_plot",
        "did_mechanisms",
        "did_mechanism_event_studies",
        "did_bacon",
        "did_bacon_scatter",
        "did_honest",
        "did_honest_sensitivity",
        "did_randomization",
        "did_randomization_distribution",
        "did",
    }
    for exhibit in exhibits:
        built = build_exhibit(exhibit.name, did_sources, project)
        expected = {"table": Table, "figure": Figure, "numbers": str}[exhibit.kind]
        assert isinstance(built, expected)
        paths = write_exhibit(exhibit.kind, built, tmp_path / exhibit.name)
        assert all(p.stat().st_size > 0 for p in paths)
    att = build_exhibit("did_att", did_sources, project)
    assert len(att.panels) == 2 and att.n_columns == 4
    assert not any("Wald-DiD" in note for note in att.notes)  # no intensity in these records
