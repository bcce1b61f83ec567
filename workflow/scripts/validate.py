"""Rule validate: check the panel's rules and write the data-quality report."""

from govcluster import io
from govcluster.quality import data_quality_report
from govcluster.runner import run_rule
from govcluster.validate import validate_panel
from govcluster.workflow_config import project_from_slice


def main(smk):
    project = project_from_slice(smk.params.config)
    ingested = io.read_parquet(smk.input.ingested)
    quality = data_quality_report(ingested, project)
    io.write_text(quality.to_markdown(), smk.output.quality)
    io.write_csv(quality.missingness_by_year, smk.output.missingness)
    io.write_csv(quality.panel_balance, smk.output.balance)
    report = validate_panel(ingested, project, source=str(project.data.path))
    io.write_json(report.to_dict(), smk.output.report)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
