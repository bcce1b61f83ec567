# Stage 0: the input data: the default simulated panel, or real data shipped in a package.

if PROJECT.simulate.enabled:

    rule simulate:
        input:
            script=workflow_script("simulate"),
            code=package_code("simulate", "regions"),
        output:
            raw="data/raw/clusters.csv",
            truth="data/raw/clusters_truth.json",
            latent="data/raw/clusters_latent.parquet",
        log:
            out("logs/simulate.log"),
        params:
            config=rule_config("simulate"),
        run:
            run_in_workflow_process(rule, input, output, params, wildcards, log)


if PROJECT.data.package:

    rule export_packaged_data:
        input:
            code=package_code("datasets"),
        output:
            raw=RAW_DATA,
        log:
            out("logs/export_packaged_data.log"),
        params:
            config=rule_config("export_packaged_data"),
        script:
            "../scripts/export_packaged_data.py"
