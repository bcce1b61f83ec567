"""Rule speccurve_assemble: the curve from its specifications, and its joint permutation test."""

from govcluster import io
from govcluster.runner import run_rule
from govcluster.speccurve.joint import assemble_curve_files
from govcluster.speccurve.spec import dimensions_from_slice


def main(smk):
    dimensions = dimensions_from_slice(smk.params.config)
    records = [io.read_json(path) for path in smk.input.estimates]
    result = assemble_curve_files(records, dimensions)
    io.write_json(result.to_dict(), smk.output.curve)
    io.write_csv(result.curve, smk.output.table)


run_rule(snakemake, main)  # noqa: F821
