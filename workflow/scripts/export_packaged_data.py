"""Rule export_packaged_data: write a data set shipped inside a package to data.path."""

from govcluster import io
from govcluster.datasets import load_packaged_dataset
from govcluster.runner import run_rule
from govcluster.workflow_config import project_from_slice


def main(smk):
    spec = project_from_slice(smk.params.config).data.package
    frame = load_packaged_dataset(spec["source"], spec["name"], spec.get("package"))
    io.write_parquet(frame, smk.output.raw)


run_rule(snakemake, main)  # noqa: F821
