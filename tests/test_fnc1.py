import csv
import random

import pytest

from stance.fnc1 import fnc_score, holdout_split, macro_f1, predict_fnc1, read_stances, train_fnc1

TOPICS = [
    ("volcano", "A volcano erupted near the town", "lava flows reached the villages"),
    ("whale", "A whale was found in the river", "the animal swam upstream from the sea"),
    ("robot", "A robot won the chess championship", "the machine beat the grandmaster"),
    ("comet", "A comet will pass close to Earth", "astronomers tracked the icy body"),
    ("bridge", "The old bridge collapsed in the storm", "the span fell into the water"),
    ("lottery", "A cleaner won the lottery twice", "the jackpot was claimed by the same woman"),
]


def write_data(directory, copies=6):
    """A small FNC-1-shaped data set: bodies that confirm, deny or discuss a headline, and unrelated pairs."""
    rng = random.Random(3)
    bodies, stances = [], []
    body_id = 0
    for _ in range(copies):
        for name, headline, detail in TOPICS:
            for stance, text in (
                ("agree", f"{headline}. Officials confirmed that {detail}. It is true, witnesses said."),
                ("disagree", f"Reports that {headline.lower()} are a hoax. Officials denied it and said the "
                             f"story is fake and false. Nothing of the kind happened."),
                ("discuss", f"It is claimed that {headline.lower()}, according to unconfirmed reports. "
                            f"Some say {detail}, allegedly."),
            ):  # fmt: skip
                bodies.append((body_id, text))
                stances.append((headline, body_id, stance))
                other = rng.choice([t for t in TOPICS if t[0] != name])
                stances.append((other[1], body_id, "unrelated"))
                body_id += 1
    with open(directory / "train_bodies.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Body ID", "articleBody"])
        writer.writerows(bodies)
    with open(directory / "train_stances.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Headline", "Body ID", "Stance"])
        writer.writerows(stances)
    return stances


def test_fnc_score_follows_the_official_weights():
    gold = ["agree", "disagree", "discuss", "unrelated"]
    assert fnc_score(gold, gold) == 100.0
    # related but wrong class: 0.25 of each related row's 1.0; unrelated row wrong: 0
    assert fnc_score(gold, ["discuss", "agree", "agree", "agree"]) == pytest.approx(100 * 0.75 / 3.25)
    assert fnc_score(gold, ["unrelated"] * 4) == pytest.approx(100 * 0.25 / 3.25)


def test_macro_f1_averages_the_four_classes():
    gold = ["agree", "disagree", "discuss", "unrelated"]
    assert macro_f1(gold, gold) == 1.0
    assert macro_f1(gold, ["unrelated"] * 4) == pytest.approx((2 / 5) / 4)


def test_holdout_split_is_the_official_shuffle():
    ids = list(range(100))
    train, test = holdout_split(ids)
    assert len(train) == 80 and len(test) == 20 and not train & test
    assert holdout_split(ids) == (train, test)
    shuffled = list(ids)
    random.Random(1489215).shuffle(shuffled)
    assert set(shuffled[80:]) == test


def test_train_scores_holdout_and_predicts_in_order(tmp_path):
    write_data(tmp_path)
    card = train_fnc1(tmp_path, tmp_path / "fnc1-model")
    holdout = card["holdout"]
    assert card["metrics"] == holdout
    assert holdout["rows"] > 0
    assert holdout["fnc_score"] > 80
    assert holdout["macro_f1"] > 0.6
    assert (tmp_path / "fnc1-model.joblib").exists()

    unlabelled = tmp_path / "test_stances_unlabeled.csv"
    rows = read_stances(tmp_path / "train_stances.csv")[:25]
    with open(unlabelled, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Headline", "Body ID"])
        writer.writerows((r["Headline"], r["Body ID"]) for r in rows)
    out = tmp_path / "pred.csv"
    assert predict_fnc1(tmp_path / "fnc1-model", tmp_path / "train_bodies.csv", unlabelled, out) == 25
    with open(out, newline="", encoding="utf-8") as handle:
        predicted = list(csv.DictReader(handle))
    assert [(p["Headline"], int(p["Body ID"])) for p in predicted] == [
        (r["Headline"], r["Body ID"]) for r in rows
    ]
    assert {p["Stance"] for p in predicted} <= {"agree", "disagree", "discuss", "unrelated"}
    assert fnc_score([r["Stance"] for r in rows], [p["Stance"] for p in predicted]) > 80


def test_predict_refuses_unknown_bodies(tmp_path):
    write_data(tmp_path, copies=2)
    train_fnc1(tmp_path, tmp_path / "m", holdout=False)
    stances = tmp_path / "s.csv"
    stances.write_text("Headline,Body ID\nSomething,99999\n", encoding="utf-8")
    with pytest.raises(ValueError, match="99999"):
        predict_fnc1(tmp_path / "m", tmp_path / "train_bodies.csv", stances, tmp_path / "o.csv")
