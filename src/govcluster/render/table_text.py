"""Words inside tables shared by every exhibit: panel titles, "name, detail" labels, lists.

- :func:`panel_title` / :func:`letter`: "Panel A: ..." (Chinese "A组：...");
- :func:`label_with`: a row label with a detail after a comma;
- :func:`list_text`: display labels of variables joined by commas ("none" when empty);
- :func:`construct_caption`: a construct's label with its code, "Openness (OPEN)".
"""

from __future__ import annotations

import string
from collections.abc import Sequence

from govcluster.config import ProjectConfig
from govcluster.render.labels import word


def letter(position: int) -> str:
    """Panel letter: A, B, ..., Z, AA, AB, ..."""
    letters = string.ascii_uppercase
    text = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        text = letters[remainder] + text
    return text


def panel_title(position: int, title: str, language: str) -> str:
    """``"Panel A: title"`` or ``"A组：title"``."""
    return word("panel_title", language).format(letter=letter(position), title=title)


def label_with(name: str, detail: str, language: str) -> str:
    """``"name, detail"`` (Chinese: ``"name，detail"``); just the name if no detail."""
    if not detail:
        return name
    return f"{name}{'，' if language == 'zh' else ', '}{detail}"


def list_text(names: Sequence[str], config: ProjectConfig) -> str:
    """Display labels of ``names`` joined by commas (Chinese: 、); "none" when empty."""
    language = config.language
    if not names:
        return word("none", language)
    separator = "、" if language == "zh" else ", "
    return separator.join(config.label(name) for name in names)


def construct_caption(config: ProjectConfig, construct: str) -> str:
    """A construct's label followed by its code: ``"Government intervention (GOV)"``."""
    if config.language == "zh":
        return f"{config.label(construct)}（{construct}）"
    return f"{config.label(construct)} ({construct})"
