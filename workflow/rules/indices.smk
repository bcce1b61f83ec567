# Stage 2: composite indices of government intervention, the six mechanisms and the outcome.


rule indices:
    input:
        script=workflow_script("indices"),
        code=package_code(
            "indices",
            "categories",
            "describe",
            "registry",
            "render/markdown",
            "render/tables",
        ),
        panel=out("data/processed/panel.parquet"),
    output:
        analysis=out("data/processed/analysis_panel.parquet"),
        weights=out("results/descriptives/index_weights.csv"),
        weights_md=out("results/descriptives/index_weights.md"),
        reliability=out("results/descriptives/index_reliability.csv"),
        reliability_md=out("results/descriptives/index_reliability.md"),
    log:
        out("logs/indices.log"),
    params:
        config=rule_config("indices"),
    run:
        run_in_workflow_process(rule, input, output, params, wildcards, log)
