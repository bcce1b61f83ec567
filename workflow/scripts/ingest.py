"""Rule ingest: read the raw file as it is and map its columns to the pipeline's names."""

from govcluster import io
from govcluster.ingest import ingest_table
from govcluster.runner import run_rule
from govcluster.workflow_config import project_from_slice


def main(smk):
    project = project_from_slice(smk.params.config)
    spec = project.data
    raw = io.read_table(smk.input.raw, format=spec.format, encoding=spec.encoding, sheet=spec.sheet)
    ingested = ingest_table(raw, project, source=str(smk.input.raw))
    io.write_parquet(ingested, smk.output.ingested)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
