"""Jargon snapping (cuecard/knowledge/snap.py) and the session vocabulary that biases the
interviewer's recognition (cuecard/knowledge/vocabulary.py): real cards, real dictionary."""

from __future__ import annotations

import time

import pytest

from cuecard.knowledge.cards import all_cards, normalize_phrase
from cuecard.knowledge.snap import Snapped, TermSnapper, snap_terms
from cuecard.knowledge.vocabulary import SessionVocabulary, count_tokens, prompt_from, session_terms
from cuecard.profile.models import CandidateContext, Job, Profile

ORDINARY = [
    "Tell me about a time you disagreed with your manager and how it ended.",
    "Imagine you join and there's a process everybody follows that you think is wasteful.",
    "How might you build a pipeline for a new sales territory?",
    "Walk me through a time you made a slow service much faster.",
    "Sorry about the noise, there's construction outside.",
    "So basically you'd talk to them one on one before escalating.",
    "Of course, the radius of the circle doubles when the diameter does.",
    "We walked along the river until dusk and talked about the course.",
    "Describe a time when your model didn't perform the way you expected.",
    "He said nothing for a long while, then laughed and went back to his book.",
    "What are the trade-offs of a rolling deploy for a team of six?",
]


@pytest.fixture(scope="module")
def snapper():
    return TermSnapper(
        ["Dijkstra's algorithm", "Kubernetes", "PostgreSQL", "Rabin-Karp algorithm", "Redis", "reddis", "JWT", "Helm"],
        canonical={"reddis": "Redis", "JWT": "JSON Web Token"},
        exact_only=["Helm"],
    )


def test_misheard_names_snap_to_the_canonical_spelling(snapper):
    out = snapper.snap("How does dykstra's algorithm handle negative weights on kubernetis?")
    assert out.text == "How does Dijkstra's algorithm handle negative weights on Kubernetes?"
    assert out.replacements == [("dykstra's algorithm", "Dijkstra's algorithm"), ("kubernetis", "Kubernetes")]


def test_an_exact_mishearing_alias_becomes_the_name_but_a_synonym_stays(snapper):
    assert snapper.snap("Why is reddis fast?").text == "Why is Redis fast?"
    # "JWT" is another way to *say* the subject (an acronym), not a mishearing: kept as heard.
    assert snapper.snap("Where would you keep a JWT?") == Snapped("Where would you keep a JWT?")
    # The name itself, in any letter case, is left alone.
    assert snapper.snap("we run postgresql on kubernetes").replacements == []


def test_ordinary_english_is_never_replaced(snapper):
    # "radius" sounds like Redis, "helm" is a name here but only by exact match.
    for sentence in ORDINARY + ["Who was at the helmm of the ship?", "The radius is two metres."]:
        assert snapper.snap(sentence) == Snapped(sentence), sentence
        assert snap_terms(sentence).replacements == [], sentence


def test_knowledge_base_snapping_maps_aliases_and_mishearings_to_card_names():
    out = snap_terms("How do cooper netties pods restart, and how does dyke stra's algorithm work?")
    assert "Kubernetes pods" in out.text and "Dijkstra's algorithm" in out.text, out
    assert ("cooper netties", "Kubernetes") in out.replacements
    # Symbols said as words.
    assert (
        TermSnapper(["N+1 query problem", "C++"]).snap("Is the N plus one query problem worse in C plus plus?").text
        == "Is the N+1 query problem worse in C++?"
    )
    # Spaced-out spellings are the same letters.
    assert TermSnapper(["GraphQL"]).snap("Why Graph QL?").text == "Why GraphQL?"
    # Session terms take part too.
    assert snap_terms("We deploy with Terrafrom", ["Terraform"]).text == "We deploy with Terraform"


def test_common_word_cards_fire_only_on_their_exact_name():
    common = [c for c in all_cards() if c.common_word]
    assert common, "the knowledge base has common-word cards (Stack, Graph, ...)"
    for card in common:
        word = normalize_phrase(card.name)
        sentence = f"well the {word} of it is that we went home early"
        assert snap_terms(sentence).text == sentence, card.name  # the name itself: unchanged
        # Near misses one letter off ("stuck" for Stack) are ordinary words or typos: never
        # snapped to the common-word card.
        for i in range(len(word)):
            for letter in "aeiou":
                near = word[:i] + letter + word[i + 1 :]
                if near != word and near.isalpha():
                    out = snap_terms(f"so the {near} was empty")
                    assert card.name not in [target for _, target in out.replacements], (card.name, near)


def test_snapping_is_fast():
    questions = [
        "How does this make Rm algorithm differ from Bm4 when a draft has negative edge weights?",
        "Explain memonation and how it turns a slow recursive solution into dynamic programming.",
        "What does a vendor queue do in Rabbit MQ or Apache Kafka?",
        "How does engine X act and a reverse proxy in front of your service?",
        "When what you use BBs can, instead of K means clustering?",
    ] + ORDINARY
    for q in questions:
        snap_terms(q)  # the first sight of a word is looked up in the dictionary once
    times = []
    for q in questions * 3:
        started = time.perf_counter()
        snap_terms(q)
        times.append(time.perf_counter() - started)
    times.sort()
    assert times[len(times) // 2] < 0.002 and times[-2] < 0.005, [f"{t * 1000:.1f}" for t in times[-3:]]


def test_session_vocabulary_lists_job_then_profile_skills_within_the_prompt_budget():
    candidate = CandidateContext(
        profile=Profile(skills=["Python", "Kubernetes", "Leadership"]),
        job=Job(
            required_skills=["Kubernetes", "PostgreSQL"],
            preferred_skills=["Apache Kafka"],
            text="You will run Kafka and Postgres on Kubernetes with Terraform.",
        ),
    )
    assert session_terms(candidate) == ["Kubernetes", "PostgreSQL", "Apache Kafka", "Python", "Leadership"]
    vocabulary = SessionVocabulary(candidate=candidate)
    live = vocabulary.live_prompt()
    assert live.startswith("Kubernetes, PostgreSQL, Apache Kafka, Python, ")
    assert "Leadership" not in live  # a people skill: no use to recognition
    assert "Terraform" in live  # named in the job's text
    assert count_tokens(live) <= 48
    assert "Kubernetes" in vocabulary.hints() and len(vocabulary.hints()) <= 50
    # A misheard technical line brings its own names to the refinement's prompt.
    refine = vocabulary.refine_prompt("What is the saga pattern and why use it instead of two-fane commit?")
    assert "Saga pattern" in refine and "Two-phase commit" in refine and "Kubernetes" in refine
    assert count_tokens(refine) <= 64
    # Nothing about the session or the knowledge base: no prompt at all.
    empty = SessionVocabulary(candidate=CandidateContext())
    assert empty.live_prompt() is None
    assert empty.refine_prompt("He said nothing for a long while, then went back to his book.") is None


def test_prompt_keeps_order_drops_duplicates_and_fits():
    assert prompt_from(["Kubernetes", "kubernetes", "Helm"], 48) == "Kubernetes, Helm."
    assert count_tokens(prompt_from([c.name for c in all_cards()], 30)) <= 30
    assert prompt_from([], 30) == ""
