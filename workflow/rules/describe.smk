# Stage 3: describe the analysis panel.


rule describe:
    input:
        analysis="data/processed/analysis_panel.parquet",
    output:
        summary="results/tables/summary_statistics.csv",
        summary_md="results/tables/summary_statistics.md",
        correlations="results/tables/correlations.csv",
        correlations_md="results/tables/correlations.md",
    params:
        constructs=list(config["constructs"]),
        controls=list(config["controls"]),
    log:
        "logs/describe.log",
    conda:
        ENV_FILE
    script:
        "../scripts/describe.py"
