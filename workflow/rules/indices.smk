# Stage 2: composite indices of government intervention, the six mechanisms and the outcome.


rule indices:
    input:
        code=package_code("indices", "describe"),
        panel="data/processed/panel.parquet",
    output:
        analysis="data/processed/analysis_panel.parquet",
        weights="results/tables/index_weights.csv",
        weights_md="results/tables/index_weights.md",
        reliability="results/tables/index_reliability.csv",
        reliability_md="results/tables/index_reliability.md",
    log:
        "logs/indices.log",
    conda:
        ENV_FILE
    params:
        indices=config["indices"],
        constructs=config["constructs"],
        controls=config["controls"],
        passthrough=config["passthrough"],
    script:
        "../scripts/indices.py"
