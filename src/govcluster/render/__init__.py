"""Publication tables and figures.

The table side is format-neutral: exhibit builders (:mod:`govcluster.render.descriptive_tables`,
:mod:`govcluster.render.regression`) return a :class:`~govcluster.render.tables.Table` whose
cells are already formatted text, and one writer per format turns it into LaTeX
(:mod:`~govcluster.render.latex`), Markdown (:mod:`~govcluster.render.markdown`), an HTML
fragment (:mod:`~govcluster.render.html_table`) or a Word document
(:mod:`~govcluster.render.word`); :func:`~govcluster.render.tables.to_csv` writes the numbers
behind it. Figures live in :mod:`govcluster.render.figures`, their look (and the Chinese font)
in :mod:`govcluster.render.style`.
"""
