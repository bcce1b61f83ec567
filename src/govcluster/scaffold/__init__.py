"""Starting an analysis of the user's own data file: ``govcluster init DATAFILE``.

:mod:`~govcluster.scaffold.propose` inspects a table and proposes the entity and time
columns and a kind for every column; :mod:`~govcluster.scaffold.render` writes the proposal
as a complete, commented configuration; :mod:`~govcluster.scaffold.cli` is the command line.
"""

from govcluster.scaffold.propose import (
    ColumnProposal,
    DataProposal,
    InitError,
    propose_configuration,
)
from govcluster.scaffold.render import render_config

__all__ = [
    "ColumnProposal",
    "DataProposal",
    "InitError",
    "propose_configuration",
    "render_config",
]
