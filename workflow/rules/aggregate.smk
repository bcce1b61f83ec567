# Stage 0b (optional): firm-level microdata -> the cluster-year panel that `ingest` reads.
# Enabled by `aggregate.enabled`; then `data.path` must be `aggregate.output`, so that the
# ingest rule reads the aggregate's output (the two stages meet only through the config).
# Its settings and helper functions are in common.smk.


if SIMULATED_FIRMS:

    rule simulate_firms:
        input:
            code=package_code("simulate", "simulate_firms", "regions"),
            raw="data/raw/clusters.csv",
            truth="data/raw/clusters_truth.json",
            latent="data/raw/clusters_latent.parquet",
        output:
            firms=[f"{FIRM_DIR}/firms_{year}.parquet" for year in FIRM_YEARS],
            mapping=f"{FIRM_DIR}/cluster_map.csv",
        log:
            out("logs/simulate_firms.log"),
        resources:
            mem_mb=4000,
            runtime=20,
        params:
            config=rule_config("simulate_firms"),
        script:
            "../scripts/simulate_firms.py"


if RUN_AGGREGATE:

    rule aggregate:
        input:
            unpack(aggregate_inputs),
            code=package_code("aggregate"),
        output:
            panel=AGGREGATE["output"],
            indicators=out("data/interim/cluster_indicators_from_firms.parquet"),
            audit=out("results/data_quality/aggregate_audit.json"),
            dropped=out("results/data_quality/aggregate_dropped_rows.csv"),
        log:
            out("logs/aggregate.log"),
        threads: AGGREGATE.get("threads", 2)
        resources:
            mem_mb=1024 + memory_mb(AGGREGATE.get("memory_limit", "3GB")),
            runtime=60,
        params:
            config=rule_config("aggregate"),
        script:
            "../scripts/aggregate.py"
