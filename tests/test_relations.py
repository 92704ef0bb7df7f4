import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from stance.relations import (
    FEATURE_NAMES,
    PairFeatures,
    analyse,
    build_pipeline,
    contrast,
    stem,
    supported,
)


def pairs(*rows):
    X = np.empty((len(rows), 2), dtype=object)
    X[:] = list(rows)
    return X


def feature(row, name):
    return row[FEATURE_NAMES.index(name)]


@pytest.fixture(scope="module")
def features():
    return PairFeatures().fit(pairs(("a b c", "c d e"), ("the talks failed", "the talks went well")))


def test_scope_clash_fires_on_all_versus_some(features):
    row = features.transform(
        pairs(("they wanted all the restrictions removed", "they asked for some rules to go"))
    )[0]
    assert feature(row, "scope_clash") == 1.0
    same = features.transform(pairs(("all the staff left", "every worker walked away")))[0]
    assert feature(same, "scope_clash") == 0.0
    assert feature(same, "scope_same") == 1.0


def test_idioms_are_not_quantities():
    assert not analyse("the president urged them to go all in on the deal").hits["universal"]
    assert analyse("all the plants were closed").hits["universal"]


def test_evaluation_clash_and_its_exceptions(features):
    rows = features.transform(
        pairs(
            ("the meeting was a success", "the meeting collapsed"),
            ("the talks made some progress", "the talks collapsed"),
            ("I don't think it was a disaster", "the talks collapsed"),
            ("this failed merger will be a lesson", "the meeting was a success"),
        )
    )
    assert feature(rows[0], "evaluation_clash") == 1.0
    assert feature(rows[1], "evaluation_clash") == 0.0 and feature(rows[1], "mild_vs_negative") == 1.0
    assert feature(rows[2], "evaluation_clash") == 0.0  # a denied negative is mild praise
    assert feature(rows[3], "evaluation_clash") == 0.0  # "this failed merger" describes, not claims


def test_numbers_negation_direction_antonyms(features):
    row = features.transform(pairs(("4,000 nurses walked out", "1,200 nurses walked out")))[0]
    assert feature(row, "numbers_differ") == 1.0
    row = features.transform(pairs(("the firm did not sell the data", "the firm sold the data")))[0]
    assert feature(row, "negation_one_side") == 1.0
    row = features.transform(pairs(("exports rose last year", "exports fell last year")))[0]
    assert feature(row, "direction_clash") == 1.0
    row = features.transform(pairs(("the party accepted the result", "the party rejected the result")))[0]
    assert feature(row, "antonyms") >= 1.0


def test_features_are_symmetric(features):
    for a, b in [
        ("the union said all 12 plants shut", "only some plants closed, the company said"),
        ("exports fell last year", "exports rose last year"),
        ("the benefit includes part-time staff", "the benefit excludes part-time staff"),
    ]:
        forward, backward = features.transform(pairs((a, b), (b, a)))
        assert np.allclose(forward, backward), (a, b)


def test_who_is_covered_clashes():
    """Scope of a rule: included/covered/eligible against excluded/ineligible."""
    fitted = PairFeatures().fit(pairs(("a b", "c d")))
    for a, b in [
        ("the plan excludes single parents", "the plan covers single parents"),
        ("the policy would extend to single mothers", "the wording could exclude single mothers"),
        ("nurses are eligible for the bonus", "nurses are ineligible for the bonus"),
    ]:
        assert feature(fitted.transform(pairs((a, b)))[0], "antonyms") >= 1.0, (a, b)


def test_supported_gate():
    rows = (
        PairFeatures()
        .fit(pairs(("x", "y")))
        .transform(pairs(("the plan is good", "the plan is bad"), ("the bridge opened", "the river is wide")))
    )
    clash, agree = supported(rows)
    assert list(clash) == [True, False]
    assert not agree[1]


def test_contrast_pairs_read_like_the_text():
    assert contrast("wanted all sanctions lifted", "only wanted some of the measures eased") == [
        ["all sanctions", "some of the measures"]
    ]
    assert ["successful", "walk"] in contrast(
        "described the meeting as successful", "sometimes you have to walk"
    )
    clash = contrast("turnout rose to 62 percent", "turnout fell to 48 percent")
    assert ["rose", "fell"] in clash
    assert any("62" in a and "48" in b for a, b in clash)
    assert contrast("the bridge opened", "the river is wide") == []


def test_pipeline_follows_sklearn_conventions():
    pipeline = build_pipeline()
    assert not hasattr(pipeline[0], "idf_")  # nothing learnt in __init__
    X = pairs(
        ("all the plants closed", "some plants closed"),
        ("the talks were productive", "the talks were useful"),
        ("the bridge opened", "the river is wide"),
    )
    y = np.array(["conflict", "agree", "none"])
    fitted = clone(pipeline).fit(np.concatenate([X] * 3), np.concatenate([y] * 3))
    check_is_fitted(fitted[0], "idf_")
    assert fitted[0].transform(X).shape == (3, len(FEATURE_NAMES))
    assert list(fitted.predict(X)) == list(y)
    assert list(fitted.classes_) == ["agree", "conflict", "none"]


NEWS = [
    "Officials said all the sanctions must be lifted before any deal.",
    "The minister said only some of the sanctions should be eased.",
    "The summit was a success, state media said.",
    "Sometimes you have to walk away from the table.",
    "Both sides said talks would continue next month.",
    "The union said the strike would end on Monday.",
    "Prices rose by 5% in March, the bank said.",
    "The company denied that it had cut 300 jobs.",
    "The talks collapsed after two days.",
    "Sanctions on steel and aluminium were lifted in 2019.",
    "Negotiators reached a partial agreement on tariffs.",
    "The court ruled that the election was fair.",
]


@pytest.fixture(scope="module")
def grouper():
    from stance.relations import GroupingVectorizer

    return GroupingVectorizer(n_components=5).fit(NEWS * 2)


def test_batch_similarity_is_the_dot_product_of_the_batch_rows(grouper):
    texts = [*NEWS[:7], "a word the corpus never saw: zyzzyva"]
    context = ["State media reported it on Friday."] * 4 + [""] * 4
    for ctx in (None, context):
        rows = grouper.transform_batch(texts, ctx)
        expected = (rows @ rows.T).toarray()
        assert np.allclose(grouper.batch_similarity(texts, ctx), expected, atol=1e-6)
    # hand-built rows match sklearn's hashing + TF-IDF + SVD maths
    lexical, topics, _ = grouper.transform_parts(texts)
    reference = grouper.lexical_.transform(grouper._hasher().transform(texts))
    assert np.allclose(lexical.toarray(), reference.toarray())
    svd = grouper.topics_.transform(grouper.topic_terms_.transform(texts))
    assert np.allclose(topics, svd, atol=1e-5)


def test_pair_similarity_and_probabilities_match_sklearn():
    from sklearn.preprocessing import normalize

    from stance.relations import StanceModel

    X = pairs(*zip(NEWS[:6], NEWS[6:], strict=True))
    y = ["conflict", "agree", "none", "conflict", "none", "agree"]
    pipeline = build_pipeline().fit(X, y)
    rows = pipeline[0].transform(X)
    hashed = normalize(pipeline[0].idf_.transform(pipeline[0]._hasher().transform(NEWS)))
    expected = [(hashed[i] @ hashed[i + 6].T).toarray()[0, 0] for i in range(6)]
    assert np.allclose(rows[:, FEATURE_NAMES.index("similarity")], expected)
    model = StanceModel("m", "1", "test", grouper=None, classifier=pipeline)
    assert np.allclose(model.relation_proba(rows), pipeline[1:].predict_proba(rows))


def test_cluster_cut_matches_agglomerative_clustering():
    from sklearn.cluster import AgglomerativeClustering

    from stance.issues import cluster_similarity

    rng = np.random.default_rng(0)
    for _ in range(20):
        vectors = rng.random((12, 6)) ** 3
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        similarity = vectors @ vectors.T
        ours = cluster_similarity(similarity, 0.3)
        distance = np.clip(1 - similarity, 0, 2)
        np.fill_diagonal(distance, 0)
        theirs = AgglomerativeClustering(
            n_clusters=None, distance_threshold=0.3, metric="precomputed", linkage="average"
        ).fit_predict(distance)
        # the same partition, whatever the label numbers
        assert len({(a, b) for a, b in zip(ours, theirs, strict=True)}) == len(set(ours)) == len(set(theirs))
        assert 1 < len(set(ours)) < 12


def test_token_table_starting_again_changes_nothing(grouper, monkeypatch):
    from stance.relations import _tokens, _TokenTable

    texts = NEWS[:6]
    expected = grouper.batch_similarity(texts, NEWS[6:])
    monkeypatch.setattr(_TokenTable, "limit", 30)  # fewer than one batch's tokens: cleared every call
    for _ in range(3):
        assert np.allclose(grouper.batch_similarity(texts, NEWS[6:]), expected)
    batch_tokens = {t for text in texts + NEWS[6:] for t in _tokens(text)}
    assert set(grouper._token_table.number) == batch_tokens  # only the last batch's tokens remain


def test_vectorising_from_many_threads_gives_the_serial_rows():
    """gunicorn's threaded workers share the model's token table."""
    import threading

    import numpy as np

    from stance.modelfile import load_model

    from .conftest import MODEL

    model, _ = load_model(MODEL)
    batches = [[f"the {w} strike in port {i} ended after talks on wages {i * 7}" for w in ("dock", "rail")]
               for i in range(40)]  # fmt: skip
    expected = [np.asarray(model.vectorize(b, batch=True).todense()) for b in batches]
    model.grouper.__dict__.pop("_token_table", None)  # start from an empty table
    results = [None] * len(batches)

    def work(start):
        for i in range(start, len(batches), 4):
            results[i] = np.asarray(model.vectorize(batches[i], batch=True).todense())

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(results, expected, strict=True):
        assert np.allclose(got, want)


def test_a_denied_whole_is_a_part(features):
    """'not a request for the full lifting' is a partial request, clashing with 'in their entirety'."""
    row = features.transform(
        pairs(
            (
                "this is not a request for the full lifting of sanctions",
                "they wanted sanctions lifted in full",
            )
        )
    )[0]
    assert feature(row, "scope_clash") == 1.0 and feature(row, "scope_same") == 0.0
    assert analyse("no doubt the whole town was flooded").hits["universal"]  # "no" denies the doubt
    assert analyse("they did not say whether all the prisoners were freed").hits["universal"]


def test_concept_flags_are_what_the_full_analysis_finds():
    """Grouping reads its concept dimensions from a light pass; it must find what analyse() finds,
    idioms, attributive outcomes and denied wholes included."""
    import json
    from pathlib import Path

    from stance.relations import CONCEPTS, concepts_in

    texts = [
        "they went all in on the plan",  # idiom: no quantity
        "this failed summit was a disappointment",  # attributive outcome
        "the talks were a failure",
        "not a request for the full lifting of sanctions",  # denied whole: still a quantity
        "the leaders agreed to keep talking",
        "nothing in common here",
    ]
    for line in Path(__file__).parent.parent.joinpath("seeds", "pairs.jsonl").read_text().splitlines():
        pair = json.loads(line)
        texts += [pair["a"], pair["b"]]
    seen = set()
    for text in texts:
        hits = analyse(text).hits
        expected = {name for name, categories, _ in CONCEPTS if any(hits.get(c) for c in categories)}
        assert concepts_in(text) == expected, text
        seen |= expected
    assert seen == {name for name, _, _ in CONCEPTS}  # every concept met


@pytest.mark.parametrize(
    "forms",
    [
        ("guarantees", "guarantee", "guaranteed"),
        ("measures", "measure"),
        ("raised", "raise", "raising", "raises"),
        ("sanctions", "sanction", "sanctioned"),
        ("talks", "talked", "talk"),
        ("agreed", "agree", "agrees"),
        ("issues", "issue"),
        ("country's", "country"),
    ],
)
def test_the_forms_of_a_word_share_one_stem(forms):
    assert len({stem(form) for form in forms}) == 1, {form: stem(form) for form in forms}


def test_different_words_keep_different_stems():
    assert len({stem(w) for w in ("rates", "rats", "wages", "ways", "union", "unit")}) == 6


def test_a_number_of_a_larger_number_is_a_part_and_clashes_with_a_whole():
    from stance.relations import analyse

    cues = analyse("the lifting of five of the 11 United Nations sanctions")
    assert [cues.phrase(*h) for h in cues.hits["partial"]] == ["five of the 11"]
    assert not analyse("two of the two reactors").hits["partial"]  # not smaller: no part
    pairs = contrast("the lifting of five of the 11 sanctions", "the sanctions lifted in their entirety")
    assert ["five of the 11 sanctions", "in their entirety"] in pairs


def test_a_negation_denies_a_whole_further_on_in_its_own_clause_only():
    from stance.relations import analyse

    denied = analyse("This is not a demand for the lifting of all sanctions")
    assert denied.hits["partial"] and not denied.hits["universal"]
    other_clause = analyse("They did not come to the talks, but then all of the envoys left")
    assert other_clause.hits["universal"] and not other_clause.hits["partial"]


def test_each_side_blaming_the_other_is_a_clash_cue_with_agents_and_acts_as_contrast():
    from stance.relations import FEATURE_NAMES, PairFeatures, analyse

    india = 'that Chinese troops had tried to "unilaterally change the status quo" in the sector'
    china = 'that Indian troops had "illegally crossed" the line'
    assert (analyse(india).agent, analyse(china).agent) == ({"chin"}, {"indi"})
    assert analyse("that President Edgar Lungu won").agent == {"edga", "lung"}
    assert contrast(india, china)[:2] == [
        ["Chinese troops", "Indian troops"],
        ["unilaterally change", "illegally crossed"],
    ]
    features = PairFeatures().fit([(india, china)]).transform([(india, china)])[0]
    assert features[FEATURE_NAMES.index("blame_swap")] == 1.0
    # the same agent blamed on both sides, or a capital that only opens the text, is no swap
    same = (
        PairFeatures()
        .fit([(india, india)])
        .transform([(india, "the Chinese soldiers illegally crossed it")])[0]
    )
    assert same[FEATURE_NAMES.index("blame_swap")] == 0.0
    assert analyse("Protesters had attacked officers").agent is None


def test_a_demonym_opening_a_claim_is_its_agent_and_firing_first_is_wrongdoing():
    from stance.relations import FEATURE_NAMES, PairFeatures, analyse

    armenia, azerbaijan = "Azerbaijani units fired first at the post", "Armenian forces opened fire first"
    assert (analyse(armenia).agent, analyse(azerbaijan).agent) == ({"azer"}, {"arme"})
    row = PairFeatures().fit([(armenia, azerbaijan)]).transform([(armenia, azerbaijan)])[0]
    assert row[FEATURE_NAMES.index("blame_swap")] == 1.0
    # a plural noun opening the text is a common noun, not a name
    assert analyse("Rebels attacked the convoy").agent is None


def test_a_number_with_its_scale_is_one_number(features):
    eu = "the measures covered 7.9 billion euros of exports"
    us = 'the trade affected was "well under $4 billion"'
    assert analyse(eu).numbers == {"7.9 e9"} and analyse(us).numbers == {"4 e9"}
    row = features.transform(pairs((eu, us)))[0]
    assert feature(row, "numbers_differ") == 1.0 and feature(row, "numbers_shared") == 0.0
    assert contrast(eu, us)[0] == ["7.9 billion euros", "under $4 billion"]


def test_a_number_is_shown_with_its_bound_and_unit():
    pairs = contrast(
        "85 percent of its scheduled flights had operated", "fewer than 40 percent of the flights left"
    )
    assert pairs == [["85 percent of its scheduled", "fewer than 40 percent of the flights"]]


def test_a_denial_in_the_contrast_runs_past_a_determiner_to_what_it_denies():
    company = 'the expansion went ahead only after "a full consultation" process'
    ngo = "the assessment service never opened a formal indigenous consultation for the expansion"
    assert ["a full consultation", "never opened a formal indigenous consultation"] in contrast(company, ngo)
