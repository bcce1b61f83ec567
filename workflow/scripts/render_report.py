"""Rule render_report: results/report.html, from the data to the results."""

from govcluster import io
from govcluster.render.report_sections import build_report, load_report_inputs
from govcluster.render.settings import render_settings
from govcluster.runner import run_rule
from govcluster.workflow_config import project_from_slice


def main(smk):
    project = project_from_slice(smk.params.config)
    inputs = load_report_inputs(
        data={key: smk.input[key] for key in smk.params.data_inputs},
        exhibits=smk.params.exhibits,
        captions=smk.input.captions,
    )
    html = build_report(
        inputs, language=project.language, digits=render_settings(project.raw).digits
    )
    io.write_text(html, smk.output.report)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
