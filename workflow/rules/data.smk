# Stage 1: read the raw file, validate it, clean it.


rule ingest:
    input:
        script=workflow_script("ingest"),
        code=package_code("ingest", "regions", "parsing"),
        raw=RAW_DATA,
    output:
        ingested=out("data/interim/ingested.parquet"),
    log:
        out("logs/ingest.log"),
    params:
        config=rule_config("ingest"),
    run:
        run_in_workflow_process(rule, input, output, params, wildcards, log)


rule validate:
    input:
        script=workflow_script("validate"),
        code=package_code(
            "validate",
            "quality",
            "datachecks",
            "parsing",
            "regions",
            "render/data_quality",
            "render/markdown",
        ),
        ingested=out("data/interim/ingested.parquet"),
    output:
        report=out("results/data_quality/validation.json"),
        quality=out("results/data_quality/data_quality.md"),
        missingness=out("results/data_quality/missingness_by_year.csv"),
        balance=out("results/data_quality/panel_balance.csv"),
    log:
        out("logs/validate.log"),
    params:
        config=rule_config("validate"),
    run:
        run_in_workflow_process(rule, input, output, params, wildcards, log)


rule clean:
    input:
        script=workflow_script("clean"),
        code=package_code(
            "clean",
            "clean_summary",
            "datachecks",
            "parsing",
            "regions",
            "describe",
            "render/markdown",
            "render/tables",
        ),
        ingested=out("data/interim/ingested.parquet"),
        validation=out("results/data_quality/validation.json"),
    output:
        panel=out("data/processed/panel.parquet"),
        audit=out("results/data_quality/cleaning_audit.csv"),
        sample=out("results/data_quality/sample_construction.csv"),
        sample_md=out("results/data_quality/sample_construction.md"),
        summary=out("results/data_quality/cleaning_summary.json"),
    log:
        out("logs/clean.log"),
    params:
        config=rule_config("clean"),
    run:
        run_in_workflow_process(rule, input, output, params, wildcards, log)
