"""Rule speccurve_render: the specification curve figure, its summary table and its numbers."""

from pathlib import Path

from govcluster import io
from govcluster.render.figures import save_figure
from govcluster.render.output import write_table
from govcluster.render.speccurve_figures import specification_curve_figure
from govcluster.render.speccurve_tables import speccurve_numbers, speccurve_table
from govcluster.render.style import configured_figure_width
from govcluster.runner import run_rule
from govcluster.speccurve.joint import CurveResult
from govcluster.workflow_config import project_from_slice


def main(smk):
    project = project_from_slice(smk.params.config)
    result = CurveResult.from_dict(io.read_json(smk.input.curve))
    labels = {name: project.label(name) for name in (result.outcome, result.treatment)}
    digits = int(project.raw["render"].get("digits", 3))
    order = dict(project.raw["speccurve"])
    order["winsorize"] = ["on" if w else "off" for w in order.get("winsorize", [])]
    order = {
        "index_method": order.get("index_methods", []),
        "winsorize": order["winsorize"],
        "control_set": list(order.get("control_sets", {})),
        "fixed_effects": order.get("fixed_effects", []),
        "sample": order.get("samples", []),
        "se_type": order.get("se_types", []),
    }
    figure = specification_curve_figure(
        result,
        language=project.language,
        width=configured_figure_width(project),
        labels=labels,
        option_order=order,
    )
    save_figure(figure, Path(smk.output.figure_png).with_suffix(""))
    table = speccurve_table(result, language=project.language, digits=digits, labels=labels)
    write_table(table, Path(smk.output.tables[0]).with_suffix(""))
    io.write_text(speccurve_numbers(result, digits=digits), smk.output.numbers)


run_rule(snakemake, main)  # noqa: F821
