"""Rule provenance: combine the job records into results/provenance.json."""

from pathlib import Path

from govcluster import io
from govcluster.provenance import build_provenance, resolved_config_yaml
from govcluster.runner import run_step


def main(smk):
    records = [io.read_json(p) for p in sorted(Path(smk.params.records).glob("*.json"))]
    provenance = build_provenance(
        records, code_directory=Path(smk.scriptdir), outputs=smk.input.outputs
    )
    io.write_json(provenance, smk.output.provenance)
    io.write_text(resolved_config_yaml(smk.config), smk.output.config)


run_step("provenance", snakemake.log[0], lambda: main(snakemake))  # noqa: F821
