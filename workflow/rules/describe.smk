# Stage 3: describe the analysis panel.


rule describe:
    input:
        code=package_code("describe"),
        analysis="data/processed/analysis_panel.parquet",
    output:
        summary="results/tables/summary_statistics.csv",
        summary_md="results/tables/summary_statistics.md",
        correlations="results/tables/correlations.csv",
        correlations_md="results/tables/correlations.md",
    log:
        "logs/describe.log",
    conda:
        ENV_FILE
    params:
        constructs=list(config["constructs"]),
        controls=list(config["controls"]),
    script:
        "../scripts/describe.py"
