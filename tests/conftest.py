import os
from pathlib import Path

import pytest

from stance.app import create_app

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "hanoi-afp-2019-03-01.txt"
MODEL = Path(os.environ.get("STANCE_TEST_MODEL", REPO / "models" / "stance-relations.joblib"))


@pytest.fixture(scope="session")
def seed_text():
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def model():
    from stance.modelfile import load_model

    return load_model(MODEL)[0]


@pytest.fixture
def app(tmp_path, model):
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "stance.db"), "MODEL": model})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def bare_app(tmp_path):
    """An app with no model: claims and parties only, fast."""
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "bare.db"), "MODEL_PATH": None})


@pytest.fixture
def bare_client(bare_app):
    return bare_app.test_client()
