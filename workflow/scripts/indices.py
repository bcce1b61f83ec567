"""Rule indices: build the composite indices and the analysis panel."""

from govcluster import io
from govcluster.describe import to_markdown_table
from govcluster.indices import build_analysis_panel
from govcluster.runner import run_rule
from govcluster.workflow_config import project_from_slice


def main(smk):
    project = project_from_slice(smk.params.config)
    result = build_analysis_panel(io.read_parquet(smk.input.panel), project)
    io.write_parquet(result.analysis, smk.output.analysis)
    io.write_csv(result.weights, smk.output.weights)
    io.write_text(to_markdown_table(result.weights), smk.output.weights_md)
    io.write_csv(result.reliability, smk.output.reliability)
    io.write_text(to_markdown_table(result.reliability), smk.output.reliability_md)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
