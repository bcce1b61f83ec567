"""The curve's record, figure, table and numbers (both languages, every table format)."""

import json

import pytest
from speccurve_panels import latent_panel, small_dimensions

from govcluster.render.figures import save_figure
from govcluster.render.output import TABLE_FORMATS, write_table
from govcluster.render.speccurve_figures import option_label, specification_curve_figure
from govcluster.render.speccurve_tables import speccurve_macros, speccurve_numbers, speccurve_table
from govcluster.speccurve.fit import fit_specification
from govcluster.speccurve.joint import CurveResult, assemble_curve
from govcluster.speccurve.spec import enumerate_specifications
from govcluster.speccurve.variants import variant_arrays


@pytest.fixture(scope="module")
def curve() -> CurveResult:
    dims = small_dimensions(
        n_permutations=49,
        se_types=["cluster_entity", "robust"],
        samples=["full", "drop_region:west"],
    )
    data = variant_arrays(latent_panel(5, n_clusters=120), dims, name="entropy_winsorised")
    estimates = [fit_specification(data, s, dims) for s in enumerate_specifications(dims)]
    return assemble_curve(estimates, level=0.95, outcome="SCA", treatment="GOV")


def test_the_record_round_trips_through_json(curve):
    record = json.loads(json.dumps(curve.to_dict()))
    again = CurveResult.from_dict(record)
    assert again.to_dict() == curve.to_dict()
    assert list(again.curve["rank"]) == list(range(1, 17))
    assert again.curve["estimate"].is_monotonic_increasing
    with pytest.raises(ValueError, match="kind"):
        CurveResult.from_dict({**record, "kind": "speccurve_estimate"})


def test_shares_and_intervals_are_consistent(curve):
    table = curve.curve
    assert curve.n_specifications == 16
    assert curve.share_significant == pytest.approx(table["significant"].mean())
    assert curve.share_positive + curve.share_negative == pytest.approx(1.0)
    inside = (table["ci_lower"] > 0) | (table["ci_upper"] < 0)
    assert (inside == table["significant"]).all()  # significance and interval agree
    assert ((table["p_value"] < 0.05) == table["significant"]).all()


@pytest.mark.exhibits
@pytest.mark.parametrize("language", ["en", "zh"])
def test_figure_table_and_numbers_are_written(curve, tmp_path, language):
    labels = {"SCA": "Sustained competitive advantage", "GOV": "Government intervention"}
    figure = specification_curve_figure(curve, language=language, width=6.5, labels=labels)
    top, bottom = figure.axes
    assert len(bottom.get_yticklabels()) == 1 + 1 + 2 + 2 + 2 + 2  # one row per option
    png, pdf = save_figure(figure, tmp_path / "specification_curve")
    assert png.stat().st_size > 10_000 and pdf.stat().st_size > 5_000
    table = speccurve_table(curve, language=language, labels=labels)
    written = write_table(table, tmp_path / "specification_curve")
    assert set(written) == set(TABLE_FORMATS)
    markdown = written["md"].read_text(encoding="utf-8")
    assert ("Share significant" if language == "en" else "显著设定比例") in markdown
    numbers = table.numbers.set_index("quantity")
    assert numbers.loc["share_significant", "p_value"] == curve.test("share_significant").p_value
    assert numbers.loc["n_specifications", "observed"] == 16


def test_macros_carry_the_joint_test(curve):
    names = {m.name: m.value for m in speccurve_macros(curve)}
    assert names["SpeccurveN"] == "16"
    assert "SpeccurveShareSignificantP" in names and "SpeccurveMedianTestP" in names
    assert speccurve_numbers(curve).count("\\newcommand") == len(names)


def test_option_labels_in_both_languages():
    assert option_label("sample", "drop_region:west", "en") == "without west"
    assert option_label("sample", "drop_region:west", "zh") == "剔除西部"
    assert option_label("control_set", "my_set", "en") == "my_set"
