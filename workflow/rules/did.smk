# Stage 6: staggered adoption around the designation (difference-in-differences), one job per
# outcome; the mechanism indices as outcomes give the mechanism event studies.


rule did:
    input:
        code=package_code("did", "inference/randomization"),
        analysis=out("data/processed/analysis_panel.parquet"),
    output:
        estimate=out("results/estimates/did/{outcome}.json"),
    log:
        out("logs/did/{outcome}.log"),
    wildcard_constraints:
        outcome="|".join(DID_OUTCOMES) or "no-did-outcomes",
    params:
        config=rule_config("did"),
    script:
        "../scripts/did.py"
