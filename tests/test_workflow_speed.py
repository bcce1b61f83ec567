"""Fewer, lighter jobs without losing what is tracked; two notes the run now also writes.

- rendering jobs: exhibits that read the same files form one job (govcluster.render.families),
  and a rendering job imports only the modules its exhibits need (no matplotlib for tables);
- estimation jobs: each panel job's ``config`` param holds only its own model entry and the
  shared settings, so that changing one model's options reruns that model alone (checked
  through Snakemake in tests/test_rerun.py);
- the report repeats the end-of-run line about what cleaning changed, in English and Chinese;
- a table of models whose dependent variable is binary (0/1) says that they are linear
  probability models.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from govcluster.config import ProjectConfig, build_config, load_config, validate_config_dict
from govcluster.panel.plan import project_panel_jobs
from govcluster.render.binary_outcomes import binary_outcome_note
from govcluster.render.families import exhibit_families
from govcluster.render.plan import planned_exhibits
from govcluster.render.report_data import cleaning_audit_entry
from govcluster.render.report_sections import _data_changes
from govcluster.workflow_config import (
    panel_job_config_slice,
    project_from_slice,
    rule_config_slice,
)


@pytest.fixture(scope="module")
def shipped() -> ProjectConfig:
    return load_config("config/config.yaml")


def _project(edit) -> ProjectConfig:
    raw = yaml.safe_load(open("config/config.yaml", encoding="utf-8"))
    edit(raw)
    validate_config_dict(raw)
    return build_config(raw)


# --------------------------------------------------------------------------- families


def test_every_exhibit_is_in_one_family_whose_members_read_the_same_files(shipped):
    exhibits = planned_exhibits(shipped)
    families = exhibit_families(exhibits)
    members = [exhibit for family in families for exhibit in family.exhibits]
    assert sorted(e.name for e in members) == sorted(e.name for e in exhibits)
    assert len({family.rule for family in families}) == len(families)
    for family in families:
        for exhibit in family.exhibits:
            assert set(exhibit.sources) == set(family.sources)
            assert set(exhibit.panel_jobs) == set(family.panel_jobs)
    # exhibits reading different files never share a job
    inputs = {(frozenset(f.sources), frozenset(f.panel_jobs)) for f in families}
    assert len(inputs) == len(families)
    assert len(families) < len(exhibits) / 2


def test_a_family_keeps_its_name_when_the_configuration_plans_fewer_members(shipped):
    # without covariance variants there is no robustness table, the coefficient plot stays in
    # render_baseline (the rule its caption names)
    def no_variants(raw):
        for key in ("twoway_fe_cluster_twoway", "twoway_fe_driscoll_kraay", "twoway_fe_robust"):
            del raw["models"]["baseline"][key]

    families = {f.rule: [e.name for e in f.exhibits] for f in exhibit_families(
        planned_exhibits(_project(no_variants))
    )}  # fmt: skip
    assert families["render_baseline"] == ["baseline_coefficients"]
    assert families["render_mediation"][0] == "mediation_paths"


def test_every_caption_names_the_rule_that_renders_its_exhibit(shipped):
    from pathlib import Path

    for family in exhibit_families(planned_exhibits(shipped)):
        for exhibit in family.exhibits:
            for folder in ("workflow/report", "workflow/report/zh"):
                path = Path(folder) / exhibit.caption
                if path.is_file():
                    text = path.read_text(encoding="utf-8")
                    named = set(__import__("re").findall(r"``(render_\w+)``", text))
                    assert named <= {family.rule}, (path, named, family.rule)


def test_a_rendering_job_of_tables_imports_neither_matplotlib_nor_the_estimators():
    code = (
        "import sys\n"
        "from govcluster.render.catalog import build_exhibit, load_sources\n"
        "heavy = [m for m in ('matplotlib', 'linearmodels', 'scipy.stats', "
        "'govcluster.mediation.analysis') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.slow
def test_reading_the_workflow_imports_neither_the_estimators_nor_scipy_stats():
    """Reading the workflow leaves the estimators' imports to the steps that fit.

    Snakemake reads the workflow before any job starts: linearmodels, SciPy's statistics and
    sparse matrices, python-docx (about two seconds of imports) are imported by the job server
    instead.
    """
    snakemake = str(Path(sys.executable).parent / "snakemake")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", snakemake, "--list-rules"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "govcluster.registry.estimators" in imported  # the plan was read
    assert not imported & {
        "linearmodels",
        "scipy.stats",
        "scipy.sparse",
        "matplotlib",
        "docx",
        "diff_diff",
    }


# --------------------------------------------------------------------------- panel jobs


def test_a_panel_job_reads_only_its_own_model_entry(shipped):
    whole = rule_config_slice(shipped.raw, "estimate_panel")
    jobs = project_panel_jobs(shipped)
    sections = ("baseline", "specification_tests", "local_projections", "heterogeneity", "iv")
    for name, job in jobs.items():
        job_slice = panel_job_config_slice(whole, job.where, estimator_sections=sections)
        rebuilt = project_panel_jobs(project_from_slice(job_slice))
        assert list(rebuilt) == [name]
        assert rebuilt[name] == job  # the same specification as from the whole configuration
    one = panel_job_config_slice(
        whole, "models.baseline.twoway_fe_robust", estimator_sections=sections
    )
    models = one["values"]["models"]
    assert models["baseline"] == {
        "twoway_fe_robust": shipped.raw["models"]["baseline"]["twoway_fe_robust"]
    }
    assert models["controls"] == shipped.raw["models"]["controls"]  # shared settings kept
    assert "iv" not in models and "heterogeneity" not in models
    assert json.dumps(whole["values"]["models"]) == json.dumps(shipped.raw["models"])  # untouched
    with pytest.raises(ValueError, match="not a model entry"):
        panel_job_config_slice(whole, "mediation.n_boot", estimator_sections=sections)


# --------------------------------------------------------------------------- report line


def test_the_report_says_what_cleaning_changed_in_english_and_chinese():
    summary = {
        "schema_version": 1,
        "kind": "cleaning_summary",
        "rows_in": 1210,
        "rows_out": 1200,
        "imputed": 3226,
        "copied_at_edges": 414,
        "winsorised": 2196,
        "rows_dropped": {"drop_incomplete": 10},
    }
    data = {"cleaning_summary": json.dumps(summary).encode()}
    audit = __import__("pandas").DataFrame(
        {"step": ["winsorize"], "reason": ["p99"], "source_row": [3], "variable": ["x"]}
    )
    english = _data_changes(data, "en")
    chinese = _data_changes(data, "zh")
    assert "3,226 cells imputed" in english and "2,196 winsorised" in english
    assert "10 rows dropped" in english
    assert chinese != english and "3,226" in chinese
    for language, line in (("en", english), ("zh", chinese)):
        entry = cleaning_audit_entry(audit, language=language, data_changes=line)
        assert line.split(";")[0] in entry.body_html
    assert _data_changes({}, "en") is None


# --------------------------------------------------------------------------- binary note


def test_a_table_of_a_binary_outcome_notes_the_linear_probability_model(shipped):
    panel = {"job": {"result": {"spec": {"outcome": "demo_cluster", "regressors": ["GOV"]}}}}
    note = binary_outcome_note({"panel": panel}, shipped)
    assert note is not None and "Demonstration cluster" in note
    assert "linear probability model" in note
    zh = copy.copy(shipped)
    object.__setattr__(zh, "language", "zh")
    assert "示范集群" in binary_outcome_note({"panel": panel}, zh)
    assert "线性概率模型" in binary_outcome_note({"panel": panel}, zh)
    # an index outcome: no note; a binary treatment is not a dependent variable
    assert binary_outcome_note({"panel": {"job": {"spec": {"outcome": "SCA"}}}}, shipped) is None
    assert binary_outcome_note({"mediation": {"mediators": ["OPEN"]}}, shipped) is None
    assert binary_outcome_note({"did": {"demo_cluster": {}}}, shipped) is not None
