# Stage 0: the built-in default data, a simulated cluster panel with known truth.


rule simulate:
    input:
        code=package_code("simulate", "regions"),
    output:
        raw="data/raw/clusters.csv",
        truth="data/raw/clusters_truth.json",
        latent="data/raw/clusters_latent.parquet",
    log:
        "logs/simulate.log",
    conda:
        ENV_FILE
    params:
        seed=PROJECT.seed,
        simulate=config["simulate"],
    script:
        "../scripts/simulate.py"
