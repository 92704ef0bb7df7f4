"""Where the files shipped with the project (model, registry, seed article) are found."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def default_path(*parts: str) -> str:
    """A shipped file: beside the working directory, else beside the package."""
    here = Path.cwd().joinpath(*parts)
    return str(here if here.exists() else REPO.joinpath(*parts))
