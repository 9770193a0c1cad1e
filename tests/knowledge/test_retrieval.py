"""Question → cards: names and aliases first, meaning second; comparisons and multi-part."""

from __future__ import annotations

from cuecard.knowledge.retrieval import name_hits, retrieve


def _names(retrieval):
    return [c.name.lower() for c in retrieval.cards]


def test_alias_and_misheard_name_find_the_card():
    assert any("kubernetes" in n for n in _names(retrieve("So what does cooper netties do for you?")))
    assert any("dijkstra" in n for n in _names(retrieve("How does dikestra find shortest paths?")))


def test_comparison_retrieves_both_sides_or_the_comparison_card():
    r = retrieve("What's the difference between TCP and UDP?")
    assert {"tcp", "udp"} <= {w for n in _names(r) for w in n.split()}
    r = retrieve("Bagging versus boosting: how do they differ?")
    assert r.mode == "compare" and {"bagging", "boosting"} <= {w for n in _names(r) for w in n.split()}


def test_multi_part_question_answers_each_part():
    r = retrieve("What is a deadlock? And how does a mutex help?")
    assert r.mode == "multi" and len(r.cards) == 2


def test_common_word_card_needs_context():
    assert not [h for h in name_hits("we should go to lunch and get some rest") if h.card.common_word]


def test_paraphrase_falls_back_to_meaning():
    r = retrieve("How do you keep one slow dependency from taking down every service that calls it?")
    assert r.hits and r.hits[0].how == "meaning" and "circuit" in r.hits[0].card.name.lower(), r


def test_nothing_known_says_none():
    r = retrieve("Explain quantum annealing schedules in photonic chips.")
    assert r.mode == "none" and r.coverage == "none"


def test_a_contrast_card_is_found_by_its_sides_in_any_number():
    # Before: each side was looked up alone and "attribute" found "Data attributes".
    r = retrieve("What is the difference between an attribute and a property?")
    assert _names(r) == ["attributes vs properties"], r


def test_a_card_whose_alias_says_vs_is_not_a_contrast_card():
    r = retrieve("What is the difference between bagging and boosting?")
    assert r.mode == "compare" and len(r.cards) == 2


def test_three_things_compared_are_all_answered():
    r = retrieve("what's the difference between localStorage, sessionStorage and cookies")
    assert r.mode == "compare" and len(r.cards) == 3, r


def test_a_yes_no_question_names_its_subject():
    hits = name_hits("Is accuracy always a good metric?")
    assert [h.card.name for h in hits] == ["Accuracy"]


def test_among_named_cards_the_closest_in_meaning_leads():
    # "neural nets" is the longer name, but the question is about regularization.
    r = retrieve("What regularization techniques for neural nets do you know?")
    assert r.cards[0].name == "Regularization", r


def test_a_much_closer_unnamed_card_leads_a_named_one():
    r = retrieve(
        "Suppose every word has its own word embedding. How would you combine the word embeddings of a long sentence into one?"
    )
    assert r.hits[0].how == "meaning" and "combining" in r.cards[0].name.lower(), r


def test_a_framing_verb_is_not_an_ordinary_word_card_beside_the_subject():
    """ "explain what a database index is" named the EXPLAIN card (an ordinary word of the same
    domain) beside the index card, and the page showed "Database index, EXPLAIN"."""
    assert [h.card.name for h in name_hits("explain what a database index is and when it can hurt")] == [
        "Database index"
    ]
    assert [h.card.name for h in name_hits("what is boosting and how does it differ from bagging")] == [
        "Boosting",
        "Bagging",
    ]
