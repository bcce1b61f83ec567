"""Rule provenance: the resolved configuration, then results/provenance.json of every file."""

from datetime import UTC, datetime
from pathlib import Path

from govcluster import io
from govcluster.provenance import build_provenance, job_record, resolved_config_yaml, written_files
from govcluster.runner import run_step
from govcluster.workflow_config import slice_values


def main(smk):
    started = datetime.now(UTC)
    config = slice_values(smk.params.config)
    io.write_text(resolved_config_yaml(config), smk.output.config)
    own_record = job_record(
        rule=smk.rule,
        wildcards={},
        inputs=[],
        outputs=[smk.output.config],
        params=dict(smk.params.items()),
        seed=config.get("seed"),
        started=started,
        finished=datetime.now(UTC),
    )
    records = [io.read_json(p) for p in sorted(Path(smk.params.records).glob("*.json"))]
    on_disk = written_files(config.get("output_root", "."), exclude=[smk.output.provenance])
    provenance = build_provenance(
        [*records, own_record],
        code_directory=Path(smk.input.script).parent,
        outputs=sorted({*on_disk, *smk.input.outputs, smk.output.config}),
    )
    io.write_json(provenance, smk.output.provenance)


if __name__ == "__main__":  # run as a Snakemake script; the rule imports main()
    run_step("provenance", snakemake.log[0], lambda: main(snakemake))  # noqa: F821
