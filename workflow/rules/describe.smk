# Stage 3: describe the analysis panel.


rule describe:
    input:
        script=workflow_script("describe"),
        code=package_code("describe", "render/markdown", "render/tables"),
        analysis=out("data/processed/analysis_panel.parquet"),
    output:
        summary=out("results/descriptives/summary_statistics.csv"),
        summary_md=out("results/descriptives/summary_statistics.md"),
        correlations=out("results/descriptives/correlations.csv"),
        correlations_md=out("results/descriptives/correlations.md"),
    log:
        out("logs/describe.log"),
    params:
        config=rule_config("describe"),
    run:
        run_in_workflow_process(rule, input, output, params, wildcards, log)
