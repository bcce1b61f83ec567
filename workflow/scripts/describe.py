"""Rule describe: summary statistics (overall/between/within) and correlations."""

from govcluster import io
from govcluster.columns import ENTITY, TIME
from govcluster.describe import correlation_matrix, panel_summary_statistics, to_markdown_table
from govcluster.runner import run_rule
from govcluster.workflow_config import project_from_slice


def main(smk):
    analysis = io.read_parquet(smk.input.analysis)
    project = project_from_slice(smk.params.config)
    variables = [*project.constructs, *project.controls, *project.passthrough]
    summary = panel_summary_statistics(analysis, variables, entity=ENTITY, time=TIME)
    correlations = correlation_matrix(analysis, variables)
    io.write_csv(summary, smk.output.summary)
    io.write_text(to_markdown_table(summary), smk.output.summary_md)
    io.write_csv(correlations, smk.output.correlations)
    io.write_text(to_markdown_table(correlations), smk.output.correlations_md)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
