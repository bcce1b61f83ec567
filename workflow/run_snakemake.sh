#!/bin/sh
# Snakemake with the project's own environment, for the stages of dvc.yaml: `dvc repro`
# (e.g. `.venv/bin/dvc repro`) then works from a shell where no environment is activated.
# The interpreter is $GOVCLUSTER_PYTHON when set (`make repro` sets it to the environment of
# VENV=...), else .venv/bin/python of the project when it exists (`make env`), else the
# `python` on PATH (an activated conda environment).
set -eu
project=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${GOVCLUSTER_PYTHON:-}" ]; then
    python=$GOVCLUSTER_PYTHON
elif [ -x "$project/.venv/bin/python" ]; then
    python=$project/.venv/bin/python
else
    python=python
fi
exec "$python" -m snakemake "$@"
