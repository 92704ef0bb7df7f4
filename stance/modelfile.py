"""Saving and loading trained models with a card beside them.

A joblib file is a pickle: loading it runs code, and it only works with the
library versions it was written with. So every model is saved with a JSON card
(what it was trained on, how well it did, which versions made it, the sha256 of
the pickle) and `load_model` reads the card first and refuses anything that
does not match, with a message that says how to fix it.
"""

from __future__ import annotations

import hashlib
import json
import platform
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import joblib
import numpy
import scipy
import sklearn

# Versions that decide whether a pickled estimator still works as trained (the stemmer makes the
# words a grouping model's vocabulary was fitted on).
CHECKED_LIBRARIES = ("sklearn", "numpy", "scipy", "pystemmer")
PIP_NAMES = {"sklearn": "scikit-learn", "pystemmer": "PyStemmer"}


class ModelError(Exception):
    """A model file that can't be used: missing, tampered with, or from other library versions."""


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "sklearn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
        "pystemmer": version("PyStemmer"),
    }


def model_paths(path: str | Path) -> tuple[Path, Path]:
    """PATH, PATH.joblib or PATH.json -> (PATH.joblib, PATH.json)."""
    path = Path(path)
    if path.suffix in (".joblib", ".json"):
        path = path.with_suffix("")
    return path.with_name(path.name + ".joblib"), path.with_name(path.name + ".json")


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(obj: Any, path: str | Path, card: dict) -> dict:
    """Write PATH.joblib and its card PATH.json; return the card as written. A model built on
    stance.relations features gets the code's feature scheme in its card."""
    from stance.relations import FEATURE_SCHEME, uses_features

    if uses_features(obj):
        card = {**card, "feature_scheme": FEATURE_SCHEME}
    joblib_path, card_path = model_paths(path)
    joblib_path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(obj, joblib_path, compress=3)
    full = {
        "name": card.get("name", joblib_path.stem),
        "version": card.get("version", "0"),
        "created": card.get("created") or datetime.now(UTC).isoformat(timespec="seconds"),
        **card,
        "libraries": library_versions(),
        "file": joblib_path.name,
        "sha256": sha256_file(joblib_path),
    }
    card_path.write_text(json.dumps(full, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    return full


def read_card(path: str | Path) -> dict:
    _, card_path = model_paths(path)
    if not card_path.exists():
        raise ModelError(f"no model card at {card_path}: train a model with `stance train`")
    try:
        return json.loads(card_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelError(f"model card {card_path} is not valid JSON ({exc})") from exc


def check_card(card: dict, joblib_path: Path) -> None:
    """Raise ModelError unless the pickle is the one the card describes and the libraries match."""
    if not joblib_path.exists():
        raise ModelError(f"model file {joblib_path} is missing: train a model with `stance train`")
    actual = sha256_file(joblib_path)
    if actual != card.get("sha256"):
        raise ModelError(
            f"{joblib_path} does not match its card (sha256 {actual[:12]}... vs "
            f"{str(card.get('sha256'))[:12]}...); refusing to unpickle a file we did not write. "
            "Retrain with `stance train`."
        )
    wanted = card.get("libraries", {})
    installed = library_versions()
    for lib in CHECKED_LIBRARIES:
        if wanted.get(lib) != installed[lib]:
            pip_name = PIP_NAMES.get(lib, lib)
            raise ModelError(
                f"{joblib_path.name} was trained with {lib} {wanted.get(lib)} but {installed[lib]} is "
                f"installed: retrain with `stance train`, or `pip install {pip_name}=={wanted.get(lib)}`."
            )


def check_feature_scheme(card: dict, joblib_path: Path) -> None:
    """Raise ModelError when the card says the model was trained on other feature maths than this code
    computes (a card without a scheme predates the numbering: also refused, for feature models)."""
    from stance.relations import FEATURE_SCHEME

    scheme = card.get("feature_scheme")
    if scheme != FEATURE_SCHEME:
        trained = f"feature scheme {scheme}" if scheme is not None else "no recorded feature scheme"
        raise ModelError(
            f"{joblib_path.name} was trained with {trained}, but this code computes feature scheme "
            f"{FEATURE_SCHEME}: retrain with `stance train` (or `stance fnc1 train` for an FNC-1 model)."
        )


def load_model(path: str | Path) -> tuple[Any, dict]:
    """Read the card, check it, then unpickle: returns (model, card). A model built on stance.relations
    features must carry this code's feature scheme."""
    joblib_path, _ = model_paths(path)
    card = read_card(path)
    check_card(card, joblib_path)
    if "feature_scheme" in card:
        check_feature_scheme(card, joblib_path)  # before unpickling what may not even load
    model = joblib.load(joblib_path)
    from stance.relations import uses_features

    if uses_features(model):
        check_feature_scheme(card, joblib_path)
    return model, card
