# Monte Carlo study of the estimators (target `simulation_study`, not part of `all`):
# R panels per design cell drawn from the simulator, one Snakemake job per replication, then
# bias, RMSE, coverage and rejection rates in a table and a figure. Each replication's seed
# comes from the master seed, the design and the replication index (np.random.SeedSequence),
# so the results do not depend on the executor or on how many jobs run in parallel.
from govcluster.study import build_study_spec

STUDY_SPEC = build_study_spec(config.get("study", {}), seed=PROJECT.seed)
STUDY_DIR = out(config.get("study", {}).get("output_dir", "results/study"))
STUDY_DESIGNS = [design.name for design in STUDY_SPEC.designs]
STUDY_RECORDS = [
    f"{STUDY_DIR}/replications/{design}/rep{rep:04d}.json"
    for design in STUDY_DESIGNS
    for rep in range(STUDY_SPEC.replications)
]


rule study_replication:
    input:
        code=package_code("study", "simulate", "panel", "regions"),
    output:
        record=f"{STUDY_DIR}/replications/{{design}}/rep{{rep}}.json",
    log:
        out("logs/study/{design}/rep{rep}.log"),
    wildcard_constraints:
        design="|".join(STUDY_DESIGNS),
        rep=r"\d{4}",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
    params:
        config=rule_config("study_replication"),
    script:
        "../scripts/study_replication.py"


rule study_summary:
    input:
        records=STUDY_RECORDS,
        code=package_code("study"),
    output:
        table=f"{STUDY_DIR}/study_summary.csv",
        markdown=f"{STUDY_DIR}/study_summary.md",
        png=f"{STUDY_DIR}/study_summary.png",
        pdf=f"{STUDY_DIR}/study_summary.pdf",
    log:
        out("logs/study/summary.log"),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        config=rule_config("study_summary"),
    script:
        "../scripts/study_summary.py"


rule simulation_study:
    input:
        rules.study_summary.output,
    localrule: True
