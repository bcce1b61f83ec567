"""The ``govcluster`` command line: ``govcluster init DATAFILE``.

``govcluster init`` reads the data file with :func:`govcluster.io.read_table`, proposes a
configuration (:func:`~govcluster.scaffold.propose.propose_configuration`) and writes it to
``config/<name>.yaml`` (:func:`~govcluster.scaffold.render.render_config`), then says how to
run it. Exit codes: 0 written; 1 the configuration exists (use ``--force``); 2 the file or the
options do not allow a configuration (the message says what to give).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import get_args

from govcluster.errors import GovclusterError
from govcluster.io import read_table, write_text
from govcluster.panel.spec import Estimator, PanelCovType
from govcluster.scaffold.propose import DataProposal, propose_configuration
from govcluster.scaffold.render import render_config

EXIT_OK, EXIT_EXISTS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govcluster", description="govcluster: start an analysis of your own data."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser(
        "init",
        help="propose a configuration config/<name>.yaml for a data file",
        description=(
            "Read DATAFILE (CSV in UTF-8 or GBK, Excel .xlsx, Stata .dta or Parquet), propose "
            "its entity and time columns and a kind for every column, and write a complete, "
            "commented configuration config/<name>.yaml. Then: make run CONFIG=config/<name>.yaml"
        ),
    )
    init.add_argument("datafile", help="the data file, relative to the project root")
    init.add_argument("--name", help="name of the configuration (default: the file's name)")
    init.add_argument("--entity", help="column identifying the entities (default: proposed)")
    init.add_argument("--time", help="column holding the year or period (default: proposed)")
    init.add_argument(
        "--cross-section",
        action="store_true",
        help="the file has one row per entity and no time column (one period)",
    )
    init.add_argument("--outcome", help="outcome variable of the model (column or pipeline name)")
    init.add_argument("--treatment", help="treatment variable of the model")
    init.add_argument(
        "--controls", default="", help="control variables of the model, separated by commas"
    )
    init.add_argument(
        "--estimator",
        choices=get_args(Estimator),
        help="estimator of the model (default: twoway_fe for a panel, pooled for a cross-section)",
    )
    init.add_argument(
        "--cov-type",
        choices=get_args(PanelCovType),
        help="standard errors (default: cluster_entity for a panel, robust for a cross-section)",
    )
    init.add_argument("--sheet", default="0", help="Excel sheet name or zero-based index")
    init.add_argument("--encoding", default="auto", help="text encoding of a CSV file")
    init.add_argument(
        "--output", help="where to write the configuration (default: config/<name>.yaml)"
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing configuration")
    return parser


def configuration_name(datafile: str | Path, given: str | None) -> str:
    """The configuration's name: ``given``, or the file's name made safe for a path.

    Raises
    ------
    GovclusterError
        When the name would be empty or holds characters other than letters, digits, ``_``, ``-``.
    """
    name = given if given is not None else re.sub(r"[^\w-]+", "_", Path(datafile).stem).strip("_")
    if not name or not re.fullmatch(r"[\w-]+", name):
        raise GovclusterError(
            f"Cannot name the configuration {name!r}: give --name with letters, digits, _ or -."
        )
    return name


def _data_path(datafile: str) -> str:
    """``data.path``: relative to the project root (the working directory) when inside it."""
    path = Path(datafile)
    if path.is_absolute():
        try:
            return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def _summary(proposal: DataProposal, target: Path) -> str:
    kinds: dict[str, list[str]] = {}
    for column in proposal.columns:
        kinds.setdefault(column.kind, []).append(column.column)
    entity = proposal.entity if proposal.entity is not None else "the row number"
    time = (
        f"time: {proposal.time} ({proposal.n_periods} periods, {proposal.time_kind})"
        if proposal.time is not None
        else "a cross-section (no time column)"
    )
    lines = [
        f"Wrote {target}",
        f"  entity: {entity} ({proposal.n_entities} entities); {time}; {proposal.n_rows} rows",
        *(f"  {kind}: {', '.join(columns)}" for kind, columns in kinds.items()),
        f"  model: {proposal.outcome} on {proposal.treatment}"
        + (f" with {', '.join(proposal.controls)}" if proposal.controls else "")
        + (", OLS" if proposal.cross_section else ", entity and time fixed effects")
        + " (edit models.baseline to change the estimator)",
    ]
    if not proposal.chosen:
        lines.append(
            "  The outcome and treatment are a guess: choose them under `roles` in the file "
            "(or rerun with --outcome, --treatment and --force)."
        )
    lines.append(f"Next: make run CONFIG={target.as_posix()}")
    return "\n".join(lines)


def run_init(arguments: argparse.Namespace) -> int:
    """``govcluster init``: propose and write the configuration; return the exit code."""
    name = configuration_name(arguments.datafile, arguments.name)
    target = Path(arguments.output) if arguments.output else Path("config") / f"{name}.yaml"
    if target.exists() and not arguments.force:
        print(
            f"govcluster init: {target} exists; it was left as it is. Rerun with --force to "
            "overwrite it, or give another --name.",
            file=sys.stderr,
        )
        return EXIT_EXISTS
    sheet: str | int = int(arguments.sheet) if arguments.sheet.isdigit() else arguments.sheet
    table = read_table(arguments.datafile, encoding=arguments.encoding, sheet=sheet)
    controls = [c.strip() for c in arguments.controls.split(",") if c.strip()]
    proposal = propose_configuration(
        table,
        entity=arguments.entity,
        time=arguments.time,
        outcome=arguments.outcome,
        treatment=arguments.treatment,
        controls=controls,
        cross_section=arguments.cross_section,
    )
    attrs = table.attrs
    source = f"read as {attrs.get('format')}"
    if attrs.get("encoding"):
        source += f" ({attrs['encoding']})"
    if attrs.get("sheet") is not None:
        source += f", sheet {attrs['sheet']!r}"
    text = render_config(
        proposal,
        name=name,
        data_path=_data_path(arguments.datafile),
        source=source,
        encoding=arguments.encoding,
        sheet=attrs["sheet"] if attrs.get("sheet") is not None else sheet,
        estimator=arguments.estimator,
        cov_type=arguments.cov_type,
    )
    write_text(text, target)
    print(_summary(proposal, target))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``govcluster`` console script."""
    arguments = _parser().parse_args(argv)
    try:
        return run_init(arguments)
    except GovclusterError as error:
        print(f"govcluster {arguments.command}: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
