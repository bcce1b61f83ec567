# Stage 0: the built-in default data, a simulated cluster panel with known truth.


rule simulate:
    output:
        raw="data/raw/clusters.csv",
        truth="data/raw/clusters_truth.json",
        latent="data/raw/clusters_latent.parquet",
    params:
        seed=PROJECT.seed,
        simulate=config["simulate"],
    log:
        "logs/simulate.log",
    conda:
        ENV_FILE
    script:
        "../scripts/simulate.py"
