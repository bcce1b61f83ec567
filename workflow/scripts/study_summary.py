"""Rule study_summary: bias, RMSE, coverage and rejection rates over the replications."""

import matplotlib

from govcluster import io
from govcluster.render.style import figure_style
from govcluster.runner import run_rule
from govcluster.study import ReplicationResult, build_study_spec, summarise_study
from govcluster.study.summary import summary_figure, summary_markdown

matplotlib.use("Agg")

from govcluster.workflow_config import slice_values


def main(smk):
    values = slice_values(smk.params.config)
    spec = build_study_spec(values["study"], seed=values["seed"])
    results = [ReplicationResult.from_dict(io.read_json(path)) for path in smk.input.records]
    table = summarise_study(spec, results)
    io.write_csv(table, smk.output.table)
    io.write_text(summary_markdown(table), smk.output.markdown)
    with figure_style("en"):
        figure = summary_figure(table)
        figure.savefig(smk.output.png, dpi=150, metadata={"Software": None})
        figure.savefig(smk.output.pdf, metadata={"CreationDate": None, "Producer": None})


run_rule(snakemake, main)  # noqa: F821
