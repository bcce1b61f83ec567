# Stage 7: key estimates (DVC metrics) and the provenance of every output.


rule metrics:
    input:
        script=workflow_script("metrics"),
        code=package_code("metrics"),
        panel=[out(f"results/estimates/panel/{job}.json") for job in PANEL_JOBS],
        mediation=[out("results/estimates/mediation.json")] if RUN_MEDIATION else [],
    output:
        metrics=out("results/metrics.json"),
        horizons=out("results/plots/horizon_profile.csv"),
    log:
        out("logs/metrics.log"),
    params:
        config=rule_config("metrics"),
    run:
        run_in_workflow_process(rule, input, output, params, wildcards, log)


rule provenance:
    input:
        script=workflow_script("provenance"),
        code=package_code("provenance"),
        outputs=[
            *data_targets(),
            *estimate_targets(),
            out("results/metrics.json"),
            *render_targets(),
        ],
    output:
        provenance=report(
            out("results/provenance.json"),
            caption="../report/provenance.rst",
            category="Provenance",
        ),
        config=report(
            out("results/config_resolved.yaml"),
            caption="../report/config_resolved.rst",
            category="Provenance",
        ),
    log:
        out("logs/provenance.log"),
    params:
        config=rule_config("provenance"),
        records=out("logs/provenance"),
    run:
        run_in_workflow_process(
            rule, input, output, params, wildcards, log, job_record=False
        )


# Coarse targets, one per DVC stage (dvc.yaml), so that Snakemake stays the one fine-grained DAG.
rule data_ready:
    input:
        data_targets(),


rule estimates_ready:
    input:
        estimate_targets(),
        out("results/metrics.json"),


rule exhibits_ready:
    input:
        render_targets(),
