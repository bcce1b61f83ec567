"""Rule aggregate: firm-level files -> cluster-year indicators -> the panel ingest reads."""

from govcluster import io
from govcluster.aggregate import aggregate_firms, build_aggregate_spec, merge_into_cluster_table
from govcluster.runner import run_rule
from govcluster.workflow_config import slice_values


def main(smk):
    values = slice_values(smk.params.config)
    settings, data = values["aggregate"], values["data"]
    spec = build_aggregate_spec(settings)
    entity, time = data["entity"], data["time"]
    mapping = None
    if "mapping" in smk.input.keys():
        mapping = io.read_table(smk.input.mapping)
    cluster_table = None
    if "cluster_file" in smk.input.keys():
        cluster_table = io.read_table(
            smk.input.cluster_file, format=data["format"], encoding=data["encoding"]
        )
    result = aggregate_firms(
        list(smk.input.firms),
        spec,
        mapping=mapping,
        mapping_source=str(smk.input.get("mapping", "")),
        expected=None if cluster_table is None else cluster_table[[entity, time]],
        dropped_rows_path=smk.output.dropped,
        entity=entity,
        time=time,
    )
    indicators = [rule.name for rule in spec.indicators]
    audit = result.audit.to_dict()
    if cluster_table is None:
        table = result.panel
    else:
        table, unmatched = merge_into_cluster_table(
            cluster_table,
            result.panel,
            entity=entity,
            time=time,
            indicators=indicators,
            source=str(smk.input.cluster_file),
        )
        audit["cluster_file"] = str(smk.input.cluster_file)
        audit["cluster_years_without_row_in_cluster_file"] = unmatched
    io.write_parquet(result.panel, smk.output.indicators)
    io.write_csv(table, smk.output.panel)
    io.write_json(audit, smk.output.audit)


run_rule(snakemake, main)  # noqa: F821
