# Shared by every rule: the validated configuration and the list of final targets.
import sys
from pathlib import Path
from types import SimpleNamespace

from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version

from govcluster.clean_summary import run_summary_message
from govcluster.config import build_workflow_config
from govcluster.panel.plan import project_panel_jobs
from govcluster.registry.estimators import ESTIMATORS
from govcluster.job_server import (
    job_server,
    load_script_main,
    plain_values,
    run_script,
    start_fork_server,
)
from govcluster.runner import StepStopped, run_rule, run_step
from govcluster.workflow_config import panel_job_config_slice, rule_config_slice

min_version("8.0")


if config.get("case") and not workflow.config_settings.replace_workflow_config:
    raise WorkflowError(
        f"config case '{config['case']}' is a standalone configuration: run it with "
        "--replace-workflow-config (or: make case CASE=<name>), so that it is not merged "
        "into config/config.yaml"
    )

# Validates against workflow/schemas/config.schema.yaml (defaults filled in), builds and checks
# the configuration; a mistake prints one message naming the configuration file in use.
PROJECT = build_workflow_config(
    config, config_files=workflow.overwrite_configfiles or workflow.configfiles
)

PACKAGE = Path(workflow.basedir) / "src" / "govcluster"
SCRIPTS = Path(workflow.basedir) / "workflow" / "scripts"


def drop_local_job_rate_limit():
    """Let a local run schedule jobs only when one starts or ends (called at `onstart`).

    Snakemake's command line limits job submissions to 100 per second, a limit meant for
    cluster schedulers. While it is set, every scheduling round also starts a timer for another
    round, and these timers pile up while jobs wait for a free core: late in a run Snakemake
    re-plans dozens of times a second and takes more CPU than the jobs it runs
    (snakemake/snakemake#3744). Local runs need no limit (Snakemake's API sets none), so it is
    dropped here; runs on a cluster keep it.
    """
    scheduler = getattr(workflow, "scheduler", None)
    if workflow.local_exec and getattr(scheduler, "job_rate_limiter", None) is not None:
        scheduler.job_rate_limiter = None


# Among the jobs that are ready, Snakemake starts those of higher priority first (default 0).
# The longest chains after the analysis panel come first, so that they do not end the run on
# one core while the other waits: the DiD (seven outcomes, seconds each) and its exhibits,
# then the case study and its exhibits.
RULE_PRIORITY = {
    "did": 2,
    "render_did": 2,
    "case_study": 1,
    "case_study_truth": 1,
    "render_case_study": 1,
}


def rule_priority(name):
    """Scheduling priority of rule `name` (RULE_PRIORITY; 0 when it has none)."""
    return RULE_PRIORITY.get(name, 0)


def start_job_server_early():
    """Start the job server's fork server when the run has jobs for it (called at `onstart`).

    Its imports then run on the second core while the first steps run in this process
    (govcluster.job_server.start_fork_server). Only for local runs that execute `run:` blocks
    in this process (`force-use-threads`, profiles/default); jobs for the server are those
    whose `run:` block calls run_in_job_server.
    """
    if not (workflow.local_exec and workflow.use_threads):
        return
    if any(uses_job_server(job.rule) for job in workflow.dag.needrun_jobs()):
        start_fork_server()


def uses_job_server(rule_object):
    """Whether the rule's `run:` block hands its step to the job server."""
    run_func = getattr(rule_object, "run_func", None)
    code = getattr(run_func, "__code__", None)
    return code is not None and "run_in_job_server" in code.co_names


def workflow_script(name):
    """Path of workflow script `name` (e.g. "estimate_panel"), as an input of its rule."""
    return str(SCRIPTS / f"{name}.py")


def run_in_workflow_process(
    rule_name, input, output, params, wildcards, log, *, job_record=True
):
    """Run the rule's script (`input.script`) inside this Snakemake process.

    For steps that take less time than starting Python and importing pandas (which this
    process has imported already): run locally with `force-use-threads` (profiles/default), a
    rule's `run:` block executes in a thread of Snakemake's process, so the job starts no
    interpreter. Steps run one at a time, log to their own log file and stop on a user error
    with the same message as in a process of their own (govcluster.runner). Without
    `force-use-threads`, or on a cluster, Snakemake runs the block in a process of its own
    instead; the results are the same. `job_record=False` writes no provenance record of the
    job (for the provenance rule, which gathers the records and writes its own).
    """
    # (a line may not start with the word "rule" in a Snakefile)
    smk = SimpleNamespace(
        input=input, output=output, params=params, wildcards=wildcards
    )
    smk.log, smk.rule = log, rule_name
    main = load_script_main(input.script)
    if job_record:
        run_rule(smk, main, in_process=True)
    else:
        run_step(rule_name, log[0], lambda: main(smk), in_process=True)


def run_in_job_server(rule_name, input, output, params, wildcards, log):
    """Run the rule's script (`input.script`) in a fresh process of the job server.

    For steps that compute or draw for seconds (rendering, the DiD, the case study, the
    index-weight bootstrap): the process is forked from a server that imported pandas,
    matplotlib and the exhibit builders once, so the job does not import them again, and it
    runs beside the other jobs on its own core (govcluster.job_server). Without
    `force-use-threads`, or on a cluster, Snakemake runs the block in a Snakemake process of
    its own, which starts a job server of its own; the results are the same.
    """
    smk = SimpleNamespace(
        input=plain_values(input),
        output=plain_values(output),
        params=plain_values(params),
        wildcards=plain_values(wildcards),
    )
    smk.log, smk.rule = plain_values(log), rule_name
    server = job_server(workflow.cores)
    stopped = server.submit(run_script, str(input.script), smk).result()
    if stopped:
        raise StepStopped(stopped)


def package_code(*modules):
    """Source files of the package a rule depends on, so that changing them reruns it."""
    shared = (
        "__init__",
        "config",
        "errors",
        "io",
        "runner",
        "columns",
        "user_names",
        "workflow_config",
    )
    files = []
    for module in (*shared, *modules):
        path = PACKAGE / f"{module}.py"
        files.extend(
            [path] if path.exists() else sorted((PACKAGE / module).glob("*.py"))
        )
    return [str(f) for f in files]


def rule_config(rule):
    """The configuration `rule` reads, declared as its one `config` param.

    Snakemake reruns a job when its params change, and the rule's script builds everything
    from this slice only (govcluster.workflow_config), so a change of the configuration reruns
    exactly the rules that read it. The slice is also what the job's provenance records.
    """
    return rule_config_slice(PROJECT.raw, rule)


RAW_DATA = str(PROJECT.data.path)
OUTPUT_ROOT = PROJECT.output_root
PANEL_JOB_SPECS = project_panel_jobs(PROJECT)
PANEL_JOBS = list(PANEL_JOB_SPECS)


def panel_job_config(wildcards):
    """The `config` param of one estimate_panel job: the shared model settings and its own
    entry only, so that changing one model's options reruns that model alone."""
    return panel_job_config_slice(
        rule_config("estimate_panel"),
        PANEL_JOB_SPECS[wildcards.job].where,
        estimator_sections=tuple(ESTIMATORS),
    )


def out(path):
    """Where an output of the run goes: under config `output_root` (default: the project)."""
    return path if OUTPUT_ROOT in ("", ".") else f"{OUTPUT_ROOT}/{path}"


RUN_MEDIATION = bool(PROJECT.mediation["enabled"] and PROJECT.roles.mediators)
RUN_CASE_STUDY = bool(config.get("case_study", {}).get("enabled", False))
RUN_INDEX_WEIGHT_UNCERTAINTY = bool(
    config.get("inference", {}).get("index_weights", {}).get("enabled", False)
)
DID_OUTCOMES = (
    list(config.get("did", {}).get("outcomes", []))
    if config.get("did", {}).get("enabled")
    else []
)


def print_data_changes():
    """End of a successful run: say on the console which values cleaning changed."""
    message = run_summary_message(root=OUTPUT_ROOT)
    if message:
        print(message, file=sys.stderr)
    # govcluster.run_guard prints it again when it finds a later run has nothing to do
    remembered = Path(".snakemake") / "govcluster-data-changes.txt"
    remembered.parent.mkdir(exist_ok=True)
    remembered.write_text(message or "", encoding="utf-8")


def data_targets():
    """Validated, cleaned and described data."""
    targets = [
        out("results/data_quality/validation.json"),
        out("results/data_quality/data_quality.md"),
        out("results/data_quality/cleaning_audit.csv"),
        out("results/data_quality/sample_construction.csv"),
        out("results/data_quality/cleaning_summary.json"),
        out("data/processed/panel.parquet"),
        out("data/processed/analysis_panel.parquet"),
        out("results/descriptives/index_weights.csv"),
        out("results/descriptives/index_reliability.csv"),
        out("results/descriptives/summary_statistics.csv"),
        out("results/descriptives/correlations.csv"),
    ]
    if PROJECT.simulate.enabled:
        targets.append("data/raw/clusters_truth.json")
    return targets


def estimate_targets():
    """Stored estimates (JSON and Parquet)."""
    targets = [out(f"results/estimates/panel/{job}.json") for job in PANEL_JOBS]
    if RUN_MEDIATION:
        targets.append(out("results/estimates/mediation.json"))
        if PROJECT.simulate.enabled:
            targets.append(out("results/estimates/truth_comparison.csv"))
    if RUN_INDEX_WEIGHT_UNCERTAINTY:
        targets.append(out("results/estimates/index_weight_uncertainty.json"))
    if RUN_CASE_STUDY:
        targets.append(out("results/estimates/casestudy/case_study.json"))
        if PROJECT.simulate.enabled:
            targets.append(out("results/estimates/casestudy/truth_comparison.csv"))
    targets += [
        out(f"results/estimates/did/{outcome}.json") for outcome in DID_OUTCOMES
    ]
    return targets


def speccurve_targets():
    """The specification curve and its exhibits (target speccurve; not part of `all`)."""
    return [
        out("results/estimates/speccurve.json"),
        out("results/estimates/speccurve_specifications.csv"),
        out("results/figures/specification_curve.png"),
        out("results/figures/specification_curve.pdf"),
        out("results/tables/specification_curve.html"),
        out("results/numbers/speccurve.tex"),
    ]


def all_targets():
    """Every final output of the pipeline for the current configuration."""
    return [
        *data_targets(),
        *aggregate_targets(),
        *estimate_targets(),
        out("results/metrics.json"),
        *render_targets(),
        out("results/provenance.json"),
    ]


# ---- settings and helpers of the aggregate stage (workflow/rules/aggregate.smk)
import glob

AGGREGATE = config.get("aggregate", {})
RUN_AGGREGATE = bool(AGGREGATE.get("enabled", False))
SIMULATED_FIRMS = RUN_AGGREGATE and AGGREGATE.get("source") == "simulated"
FIRM_DIR = "data/raw/firms"
FIRM_YEARS = list(
    range(config["simulate"]["first_year"], config["simulate"]["last_year"] + 1)
)

if RUN_AGGREGATE and str(AGGREGATE["output"]) != str(config["data"]["path"]):
    raise WorkflowError(
        f"aggregate.enabled is true but data.path ({config['data']['path']}) is not "
        f"aggregate.output ({AGGREGATE['output']}): set data.path to "
        f"{AGGREGATE['output']} so that ingest reads the cluster panel built from the firms"
    )
if SIMULATED_FIRMS and not PROJECT.simulate.enabled:
    raise WorkflowError(
        "aggregate.source 'simulated' draws firms from the simulated cluster panel: set "
        "simulate.enabled: true, or aggregate.source: files with aggregate.files"
    )


def firm_files():
    """The firm-level files of the aggregate stage (simulated, or the configured globs)."""
    if SIMULATED_FIRMS:
        return [f"{FIRM_DIR}/firms_{year}.parquet" for year in FIRM_YEARS]
    patterns = AGGREGATE["files"]
    patterns = [patterns] if isinstance(patterns, str) else patterns
    return sorted({path for pattern in patterns for path in glob.glob(pattern)})


def aggregate_inputs(wildcards):
    inputs = {"firms": firm_files()}
    assign = AGGREGATE["assign"]
    if assign["rule"] == "mapping":
        inputs["mapping"] = assign["mapping"]
    if AGGREGATE.get("cluster_file"):
        inputs["cluster_file"] = AGGREGATE["cluster_file"]
    return inputs


def memory_mb(limit):
    """DuckDB's memory limit (e.g. '3GB') in megabytes, for the scheduler's request."""
    units = {
        "KB": 1 / 1000,
        "MB": 1,
        "GB": 1000,
        "TB": 1e6,
        "KIB": 1 / 1024,
        "MIB": 1,
        "GIB": 1024,
        "TIB": 1024**2,
    }
    text = str(limit).strip().upper()
    for unit in sorted(units, key=len, reverse=True):
        if text.endswith(unit):
            return int(float(text[: -len(unit)]) * units[unit])
    return 4000


def aggregate_targets():
    """Outputs of the aggregate stage (empty when it is disabled)."""
    if not RUN_AGGREGATE:
        return []
    return [
        out("results/data_quality/aggregate_audit.json"),
        out("results/data_quality/aggregate_dropped_rows.csv"),
    ]
