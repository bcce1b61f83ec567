"""Rule clean: normalise, convert, correct, interpolate, winsorise; audit every change."""

from govcluster import io
from govcluster.clean import clean_panel
from govcluster.clean_summary import summarise_cleaning
from govcluster.describe import to_markdown_table
from govcluster.runner import run_rule
from govcluster.workflow_config import project_from_slice


def main(smk):
    project = project_from_slice(smk.params.config)
    result = clean_panel(io.read_parquet(smk.input.ingested), project)
    io.write_parquet(result.panel, smk.output.panel)
    io.write_csv(result.audit, smk.output.audit)
    io.write_csv(result.sample, smk.output.sample)
    io.write_text(to_markdown_table(result.sample), smk.output.sample_md)
    io.write_json(summarise_cleaning(result.audit, result.sample).to_dict(), smk.output.summary)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
