"""Rule export_packaged_data: write a data set shipped inside a package to data.path."""

from govcluster import io
from govcluster.datasets import load_packaged_dataset
from govcluster.runner import run_step


def main(smk):
    spec = smk.params.package
    frame = load_packaged_dataset(spec["source"], spec["name"], spec.get("package"))
    io.write_parquet(frame, smk.output.raw)


run_step("export_packaged_data", snakemake.log[0], lambda: main(snakemake))  # noqa: F821
