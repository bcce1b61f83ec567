# Stage 0b (optional): firm-level microdata -> the cluster-year panel that `ingest` reads.
# Enabled by `aggregate.enabled`; then `data.path` must be `aggregate.output`, so that the
# ingest rule reads the aggregate's output (the two stages meet only through the config).
import glob

AGGREGATE = config.get("aggregate", {})
RUN_AGGREGATE = bool(AGGREGATE.get("enabled", False))
SIMULATED_FIRMS = RUN_AGGREGATE and AGGREGATE.get("source") == "simulated"
FIRM_DIR = "data/raw/firms"
FIRM_YEARS = list(
    range(config["simulate"]["first_year"], config["simulate"]["last_year"] + 1)
)

if RUN_AGGREGATE and str(AGGREGATE["output"]) != str(config["data"]["path"]):
    raise WorkflowError(
        f"aggregate.enabled is true but data.path ({config['data']['path']}) is not "
        f"aggregate.output ({AGGREGATE['output']}): set data.path to "
        f"{AGGREGATE['output']} so that ingest reads the cluster panel built from the firms"
    )
if SIMULATED_FIRMS and not PROJECT.simulate.enabled:
    raise WorkflowError(
        "aggregate.source 'simulated' draws firms from the simulated cluster panel: set "
        "simulate.enabled: true, or aggregate.source: files with aggregate.files"
    )


def firm_files():
    """The firm-level files of the aggregate stage (simulated, or the configured globs)."""
    if SIMULATED_FIRMS:
        return [f"{FIRM_DIR}/firms_{year}.parquet" for year in FIRM_YEARS]
    patterns = AGGREGATE["files"]
    patterns = [patterns] if isinstance(patterns, str) else patterns
    return sorted({path for pattern in patterns for path in glob.glob(pattern)})


def aggregate_inputs(wildcards):
    inputs = {"firms": firm_files()}
    assign = AGGREGATE["assign"]
    if assign["rule"] == "mapping":
        inputs["mapping"] = assign["mapping"]
    if AGGREGATE.get("cluster_file"):
        inputs["cluster_file"] = AGGREGATE["cluster_file"]
    return inputs


def memory_mb(limit):
    """DuckDB's memory limit (e.g. '3GB') in megabytes, for the scheduler's request."""
    units = {
        "KB": 1 / 1000,
        "MB": 1,
        "GB": 1000,
        "TB": 1e6,
        "KIB": 1 / 1024,
        "MIB": 1,
        "GIB": 1024,
        "TIB": 1024**2,
    }
    text = str(limit).strip().upper()
    for unit in sorted(units, key=len, reverse=True):
        if text.endswith(unit):
            return int(float(text[: -len(unit)]) * units[unit])
    return 4000


def aggregate_targets():
    """Outputs of the aggregate stage (empty when it is disabled)."""
    if not RUN_AGGREGATE:
        return []
    return [
        out("results/data_quality/aggregate_audit.json"),
        out("results/data_quality/aggregate_dropped_rows.csv"),
    ]


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
