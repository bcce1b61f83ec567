# Stage 0: the input data: the default simulated panel, or real data shipped in a package.

if PROJECT.simulate.enabled:

    rule simulate:
        input:
            code=package_code("simulate", "regions"),
        output:
            raw="data/raw/clusters.csv",
            truth="data/raw/clusters_truth.json",
            latent="data/raw/clusters_latent.parquet",
        log:
            out("logs/simulate.log"),
        conda:
            ENV_FILE
        params:
            seed=PROJECT.seed,
            simulate=config["simulate"],
        script:
            "../scripts/simulate.py"


if PROJECT.data.package:

    rule export_packaged_data:
        input:
            code=package_code("datasets"),
        output:
            raw=RAW_DATA,
        log:
            out("logs/export_packaged_data.log"),
        conda:
            ENV_FILE
        params:
            package=config["data"]["package"],
        script:
            "../scripts/export_packaged_data.py"
