import json
from pathlib import Path

import pytest

from stance.modelfile import load_model
from stance.relations import StanceModel
from stance.train import claim_content, read_pairs, train_model

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "seeds" / "pairs.jsonl"
CORRECTED = ("all the ferries were cancelled on Friday", "some ferries were cancelled on Friday")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "relations"
    card = train_model(out, [PAIRS])  # no FNC-1: the corpus-free path a fresh clone takes
    return out, card


def test_seed_pairs_are_labelled_and_varied():
    rows = read_pairs([PAIRS])
    assert len(rows) >= 300
    assert {r["relation"] for r in rows} == {"conflict", "agree", "none"}
    assert len({r["domain"] for r in rows}) >= 15
    assert all(r["a"] != r["b"] for r in rows)


def test_claim_content_drops_the_reporting_frame():
    assert claim_content("The union said 4,000 nurses walked out") == "4,000 nurses walked out"
    assert (
        claim_content("Officials said the clinic would reopen next week")
        == "the clinic would reopen next week"
    )
    assert claim_content("Exports rose 12 percent, the ministry said") == "Exports rose 12 percent"
    assert (
        claim_content("The company denied that it misled investors")
        == "The company denied that it misled investors"
    )


def test_card_describes_the_training(trained):
    out, card = trained
    on_disk = json.loads(out.with_suffix(".json").read_text())
    assert on_disk == card
    assert card["labels"] == ["agree", "conflict", "none"]
    assert card["training_data"]["pairs_sha256"]
    assert card["training_data"]["fnc1"] is None
    assert sum(card["training_data"]["hand_pairs"].values()) == len(read_pairs([PAIRS]))
    cv = card["cross_validation"]
    assert cv["folds"] == 5
    assert 0.5 < cv["macro_f1"] <= 1.0  # well above the 0.33 of guessing
    assert set(cv["per_class"]) == {"agree", "conflict", "none"}
    assert card["training_seconds"] < 300


def test_trained_model_loads_and_classifies(trained):
    out, card = trained
    model, _loaded_card = load_model(out)
    assert isinstance(model, StanceModel)
    assert model.info() == {
        "name": card["name"],
        "version": card["version"],
        "trained_on": card["trained_on"],
    }
    results = model.classify([CORRECTED, ("the talks were productive", "the negotiations were useful")])
    assert results[0][0] == "conflict" and results[0][2]
    assert results[1][0] == "agree"
    vectors = model.vectorize(["tariffs on steel", "steel tariffs", "a football match"])
    similarity = (vectors @ vectors.T).toarray()
    assert similarity[0, 1] > similarity[0, 2]


def test_feedback_changes_the_decision_on_the_corrected_pair(trained, tmp_path):
    before, _ = load_model(trained[0])
    assert before.classify([CORRECTED])[0][0] == "conflict"
    feedback = [{"a": CORRECTED[0], "b": CORRECTED[1], "relation": "none"}]
    card = train_model(tmp_path / "with-feedback", [PAIRS], feedback=feedback, cross_validation=False)
    assert card["training_data"]["feedback_pairs"] == 1
    after, _ = load_model(tmp_path / "with-feedback")
    assert after.classify([CORRECTED])[0][0] is None
    assert after.classify([tuple(reversed(CORRECTED))])[0][0] is None
    # one correction doesn't unlearn the rest
    assert (
        after.classify([("all the plants closed on Monday", "only a portion of the plants closed")])[0][0]
        == "conflict"
    )


def test_grouping_topics_come_from_news_corpora_not_the_labelled_pairs(tmp_path):
    from stance.train import corpus_texts

    news = tmp_path / "polnear"
    news.mkdir()
    article = {"filename": "a.txt", "text": "A paragraph of news about tariffs on steel and aluminium.\n" * 2}
    (news / "polnear_train.jsonl").write_text(json.dumps(article) + "\n", encoding="utf-8")
    texts, sources = corpus_texts(None, news, ["a labelled pair text"])
    assert "a labelled pair text" not in texts and sources == ["PolNeAR train articles"]
    assert texts and all("tariffs" in t for t in texts)
    assert corpus_texts(None, None, ["a labelled pair text"]) == (
        ["a labelled pair text"],
        ["labelled pairs"],
    )
