from pathlib import Path

from stance.analysis import analyze
from stance.document import Article
from stance.modelfile import load_model
from stance.parties import load_registry

ROOT = Path(__file__).resolve().parents[1]


def test_timings_name_every_stage_and_change_nothing():
    text = (ROOT / "seeds" / "hanoi-afp-2019-03-01.txt").read_text(encoding="utf-8")
    registry = load_registry(ROOT / "seeds" / "parties.json")
    model, _ = load_model(ROOT / "models" / "stance-relations.joblib")
    timings: dict[str, float] = {}
    timed = analyze(Article(text=text), registry, model, timings=timings)
    assert timed.to_dict() == analyze(Article(text=text), registry, model).to_dict()
    assert list(timings) == ["extraction", "reshaping", "parties", "grouping", "relations"]
    assert all(seconds >= 0 for seconds in timings.values()) and timings["extraction"] > 0
    without_model: dict[str, float] = {}
    analyze(Article(text=text), registry, timings=without_model)
    assert list(without_model) == ["extraction", "reshaping", "parties"]
