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


def test_version_mismatch_says_which_library_and_how_to_fix(tmp_path):
    save_model(small_model(), tmp_path / "m", {"name": "m"})
    card_path = tmp_path / "m.json"
    card = json.loads(card_path.read_text())
    card["libraries"]["sklearn"] = "0.0.1"
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelError) as caught:
        load_model(tmp_path / "m")
    message = str(caught.value)
    assert "sklearn 0.0.1" in message
    assert "stance train" in message
    assert "scikit-learn==0.0.1" in message


def test_missing_card_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="no model card"):
        load_model(tmp_path / "nothing")
