"""govcluster: government intervention, cluster mechanisms and sustained competitive advantage.

All computation of the pipeline lives in this package; the Snakemake workflow only loads,
calls one function and saves.
"""

__version__ = "0.1.0"
