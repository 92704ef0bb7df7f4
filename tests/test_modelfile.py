import json

import pytest
from sklearn.linear_model import LogisticRegression

from stance.modelfile import ModelError, library_versions, load_model, save_model, sha256_file


def small_model():
    return LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])


def test_save_writes_pickle_and_card(tmp_path):
    card = save_model(small_model(), tmp_path / "m", {"name": "m", "version": "1", "labels": [0, 1]})
    assert (tmp_path / "m.joblib").exists()
    on_disk = json.loads((tmp_path / "m.json").read_text())
    assert on_disk == card
    assert card["sha256"] == sha256_file(tmp_path / "m.joblib")
    assert card["libraries"]["sklearn"] == library_versions()["sklearn"]
    assert set(card["libraries"]) >= {"python", "sklearn", "numpy", "scipy", "joblib"}
    assert card["created"]


def test_load_round_trip_with_or_without_suffix(tmp_path):
    save_model(small_model(), tmp_path / "m.joblib", {"name": "m", "version": "1"})
    for path in (tmp_path / "m", tmp_path / "m.joblib", str(tmp_path / "m.json")):
        model, card = load_model(path)
        assert list(model.predict([[0.0], [3.0]])) == [0, 1]
        assert card["name"] == "m"


def test_tampered_pickle_is_refused(tmp_path):
    save_model(small_model(), tmp_path / "m", {"name": "m"})
    with open(tmp_path / "m.joblib", "ab") as handle:
        handle.write(b"extra")
    with pytest.raises(ModelError, match="does not match its card"):
        load_model(tmp_path / "m")


@pytest.mark.parametrize(
    ("library", "pip_name"), [("sklearn", "scikit-learn"), ("pystemmer", "PyStemmer"), ("numpy", "numpy")]
)
def test_version_mismatch_says_which_library_and_how_to_fix(tmp_path, library, pip_name):
    save_model(small_model(), tmp_path / "m", {"name": "m"})
    card_path = tmp_path / "m.json"
    card = json.loads(card_path.read_text())
    card["libraries"][library] = "0.0.1"
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelError) as caught:
        load_model(tmp_path / "m")
    message = str(caught.value)
    assert f"{library} 0.0.1" in message
    assert "stance train" in message
    assert f"{pip_name}==0.0.1" in message


def test_missing_card_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="no model card"):
        load_model(tmp_path / "nothing")


def feature_model():
    import numpy as np

    from stance.relations import build_pipeline

    X = np.empty((3, 2), dtype=object)
    X[:] = [("all of it", "some of it"), ("talks went well", "talks went well"), ("rain", "a bridge")]
    return build_pipeline().fit(X, ["conflict", "agree", "none"])


def test_feature_models_carry_the_feature_scheme(tmp_path):
    from stance.relations import FEATURE_SCHEME

    assert save_model(feature_model(), tmp_path / "f", {"name": "f"})["feature_scheme"] == FEATURE_SCHEME
    assert "feature_scheme" not in save_model(small_model(), tmp_path / "m", {"name": "m"})
    model, card = load_model(tmp_path / "f")
    assert card["feature_scheme"] == FEATURE_SCHEME and model.predict(
        [("all of it", "some of it")]
    ).shape == (1,)
    load_model(tmp_path / "m")  # models not built on the features need no scheme


@pytest.mark.parametrize("scheme", ["older", "missing"])
def test_model_of_another_feature_scheme_is_refused(tmp_path, scheme):
    from stance.relations import FEATURE_SCHEME

    save_model(feature_model(), tmp_path / "f", {"name": "f"})
    card_path = tmp_path / "f.json"
    card = json.loads(card_path.read_text())
    if scheme == "older":
        card["feature_scheme"] = FEATURE_SCHEME - 1
    else:
        del card["feature_scheme"]  # a model from before schemes were recorded
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelError) as caught:
        load_model(tmp_path / "f")
    message = str(caught.value)
    assert f"computes feature scheme {FEATURE_SCHEME}" in message
    assert "retrain with `stance train`" in message
