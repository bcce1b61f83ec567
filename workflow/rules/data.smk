# Stage 1: read the raw file, validate it, clean it.


rule ingest:
    input:
        code=package_code("ingest"),
        raw=RAW_DATA,
    output:
        ingested="data/interim/ingested.parquet",
    log:
        "logs/ingest.log",
    conda:
        ENV_FILE
    params:
        data=config["data"],
    script:
        "../scripts/ingest.py"


rule validate:
    input:
        code=package_code("validate", "quality", "parsing", "regions"),
        ingested="data/interim/ingested.parquet",
    output:
        report="results/data_quality/validation.json",
        quality="results/data_quality/data_quality.md",
        missingness="results/data_quality/missingness_by_year.csv",
        balance="results/data_quality/panel_balance.csv",
    log:
        "logs/validate.log",
    conda:
        ENV_FILE
    params:
        source=RAW_DATA,
        data=config["data"],
        variables=config["variables"],
    script:
        "../scripts/validate.py"


rule clean:
    input:
        code=package_code("clean", "parsing", "regions", "describe"),
        ingested="data/interim/ingested.parquet",
        validation="results/data_quality/validation.json",
    output:
        panel="data/processed/panel.parquet",
        audit="results/data_quality/cleaning_audit.csv",
        sample="results/data_quality/sample_construction.csv",
        sample_md="results/data_quality/sample_construction.md",
    log:
        "logs/clean.log",
    conda:
        ENV_FILE
    params:
        clean=config["clean"],
        data=config["data"],
        variables=config["variables"],
    script:
        "../scripts/clean.py"
