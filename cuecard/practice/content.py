"""Content: what a good answer of the question's type contains.

- behavioral (and situational told as a past story): the four STAR parts, a quantified
  result, first-person ownership ("I" rather than only "we");
- situational (hypothetical "what would you do"): a plan in steps, first-person actions, a
  check of the outcome, a trade-off or risk named;
- technical: coverage of the key points of the matching knowledge card(s)
  (``cuecard.knowledge.retrieval``), an example, a trade-off;
- cultural: ties to this company and role (from the job), a personal reason, a concrete example.

Decision: cue phrases, not a model. The parts of a STAR answer and of a technical explanation
have a small spoken vocabulary ("the goal was", "as a result", "for example", "the downside");
matching it is deterministic, explainable (every point found is quoted back as evidence) and
takes well under a millisecond.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cuecard.practice.scoring import SubScore
from cuecard.practice.text import GENERIC_PHRASES, STOPWORDS, content_terms, quote_around, sentences, specificity, stem

if TYPE_CHECKING:
    from cuecard.profile.models import Job, Profile


# Generic phrases per 100 words: from the first, one point off content; from the second, two.
GENERIC_PER_100 = (2.0, 3.5)
GENERIC_MIN_COUNT = 3


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.IGNORECASE)


STAR_CUES: dict[str, re.Pattern[str]] = {
    "situation": _rx(
        r"at my (?:last|previous|current|first|old) (?:job|company|role|team|employer)",
        r"when i was (?:at|working|on|a|an|the)",
        r"(?:last|this|that) (?:year|quarter|summer|spring|autumn|fall|winter|month)",
        r"in (?:19|20)\d\d",
        r"(?:our|my|the) (?:team|company|product|service|system|project|customer|client)s? (?:was|were|had|kept|needed)",
        r"there was a",
        r"we had (?:a|an|one|two|three)",
        r"a few (?:years|months) ago",
        r"the situation",
        r"at the time",
        r"i was (?:working|leading|the|a|an|on|responsible)",
    ),
    "task": _rx(
        r"my (?:goal|job|task|role|responsibility|assignment|mission) was",
        r"(?:the|our) (?:goal|task|challenge|problem|aim|deadline) was",
        r"i (?:needed|had|was asked|was expected|wanted) to",
        r"i was responsible for",
        r"we (?:needed|had) to",
        r"i owned",
        r"to make sure",
        r"i was tasked",
    ),
    "action": _rx(
        r"i (?:then |first |also |quickly |personally )?(?:built|wrote|led|ran|set up|started|proposed|decided|created|designed|"
        r"introduced|organized|organised|scheduled|spoke|talked|met|asked|reached out|paired|rewrote|added|removed|"
        r"migrated|measured|profiled|automated|documented|split|moved|changed|fixed|traced|found|prototyped|"
        r"negotiated|convinced|presented|mentored|coached|drafted|reviewed|tested|shipped|rolled out|"
        r"analyzed|analysed|investigated|called|escalated|prioritized|prioritised|planned|broke|gave|took|made|"
        r"chose|picked|sat down|pulled|wrote up|implemented|replaced|refactored|went|kept|sent|shared|agreed)",
        r"what i did was",
        r"so i\b",
        r"my approach was",
    ),
    "result": _rx(
        r"as a result",
        r"in the end",
        r"the result was",
        r"the outcome",
        r"ended up",
        r"which (?:cut|reduced|increased|improved|saved|brought|dropped|doubled|halved|raised|lowered)",
        r"(?:we|i|it|that|this) (?:cut|reduced|increased|improved|saved|doubled|halved|shipped|launched|delivered|"
        r"hit|met|beat|brought down|lowered|raised|grew|won|retained)",
        r"(?:went|dropped|fell|rose|grew) from",
        r"afterwards",
        r"since then",
        r"what i learned",
        r"i learned",
        r"the lesson",
    ),
}
_NUMBER_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|million|half|double|twice|triple)"
)
QUANTITY = re.compile(
    r"\b(?:\d[\d,.]*\s*(?:%|percent|x\b|times|ms|milliseconds|seconds|minutes|hours|days|weeks|months|"
    r"users|customers|people|engineers|dollars|k\b|m\b|gb|tb|requests|tickets|bugs|points)?|"
    + _NUMBER_WORDS
    + r"\s+(?:percent|times|hours|days|weeks|months|minutes|seconds|milliseconds|users|customers|people|engineers|"
    r"dollars|thousand|million|hundred|requests|tickets|bugs|points))\b|\$\s?\d|\bhalf\b|\bhalved\b|\bdoubled\b",
    re.IGNORECASE,
)
EXAMPLE_CUES = _rx(
    r"for example",
    r"for instance",
    r"e\.g\.",
    r"such as",
    r"say you",
    r"imagine",
    r"suppose",
    r"in my (?:last|previous|current)? ?(?:job|project|team|role|work)",
    r"at my (?:last|previous|current) (?:job|company|role)",
    r"we used",
    r"i used",
    r"on a project",
    r"in practice",
    r"like when",
    r"a good example",
    r"take a",
)
TRADEOFF_CUES = _rx(
    r"trade ?-?offs?",
    r"downsides?",
    r"drawbacks?",
    r"the cost is",
    r"at the cost of",
    r"on the other hand",
    r"whereas",
    r"but it (?:costs|means|adds|needs|uses|is slower|is harder)",
    r"the catch",
    r"the price (?:is|you pay)",
    r"it depends",
    r"pros and cons",
    r"the risk",
    r"when not to",
    r"i wouldn't use",
    r"i would not use",
    r"avoid it when",
    r"(?:more|less) (?:memory|latency|complexity|overhead|expensive)",
    r"overhead",
    r"slower",
    r"instead",
)
HYPOTHETICAL = re.compile(
    r"\b(?:what would you do|how would you|what if|suppose|imagine|if you (?:were|had|found|joined|disagreed))\b", re.I
)
FIRST_PERSON = {"i", "i'm", "i've", "i'd", "i'll", "me", "my", "myself"}
TEAM_PERSON = {"we", "we're", "we've", "we'd", "we'll", "us", "our", "ours"}
PLAN_CUES = _rx(r"first", r"then", r"next", r"after that", r"finally", r"step", r"i would", r"i'd", r"my plan")
# An answer to "what would you do" that says what the speaker would do.
PLAN = _rx(r"i would", r"i'd", r"i will", r"i'll", r"my plan", r"first i", r"i (?:start|begin)")
CHECK_CUES = _rx(
    r"measure", r"check", r"follow up", r"monitor", r"verify", r"make sure", r"metric", r"review", r"track"
)
MOTIVE_CUES = _rx(
    r"because",
    r"i care",
    r"i love",
    r"i enjoy",
    r"matters to me",
    r"excites me",
    r"that's why",
    r"the reason",
    r"drawn to",
    r"motivat\w*",
    r"i value",
    r"i believe",
)

_BEHAVIORAL_Q = re.compile(
    r"\b(?:tell me about a time|describe a (?:time|situation)|give me an example|share an example|"
    r"a time when|walk me through a (?:time|situation|project)|have you ever|talk about a time)\b",
    re.I,
)
_CULTURAL_Q = re.compile(
    r"\b(?:why (?:do you want|this company|us|our|are you interested|join|should we)|what do you know about|"
    r"what motivates|ideal (?:team|environment|culture|manager)|where do you see yourself|"
    r"our (?:mission|values|culture|product)|work style|culture|values)\b",
    re.I,
)


def guess_type(question: str) -> str:
    """technical | behavioral | cultural | situational, from the wording of the question."""
    if _BEHAVIORAL_Q.search(question):
        return "behavioral"
    if _CULTURAL_Q.search(question):
        return "cultural"
    if HYPOTHETICAL.search(question) and not _technical_subject(question):
        return "situational"
    try:
        from cuecard.understanding.classifier import classify

        kind = classify(question).type
        if kind in ("technical", "behavioral", "cultural", "situational"):
            return kind
    except Exception:  # classification is a convenience here; the fallback is technical
        pass
    return "technical"


def _technical_subject(question: str) -> bool:
    from cuecard.knowledge.retrieval import name_hits

    return bool(name_hits(question))


def _clip(score: float) -> int:
    return int(max(0, min(5, round(score))))


def content_score(
    question: str, qtype: str, text: str, *, job: Job | None = None, profile: Profile | None = None
) -> SubScore:
    if len(text.split()) < 5:
        return SubScore("content", 0, [], "Give a complete answer: at least a few sentences.", {})
    if qtype == "technical":
        sub = technical_content(question, text)
    elif qtype == "cultural":
        sub = cultural_content(question, text, job)
    elif qtype == "situational" and HYPOTHETICAL.search(question):
        sub = situational_content(question, text)
    else:
        sub = behavioral_content(question, text)
    return _less_for_generic(sub, text)


def _less_for_generic(sub: SubScore, text: str) -> SubScore:
    """Platitudes are not content: points off for dense generic phrasing ("I believe
    communication is key…"), quoted as evidence."""
    spec = specificity(text)
    per_100 = spec["generic_per_100"]
    penalty = 0 if per_100 < GENERIC_PER_100[0] else 1 if per_100 < GENERIC_PER_100[1] else 2
    if spec["generic"] < GENERIC_MIN_COUNT:  # two platitudes in a short answer are not a pattern
        penalty = 0
    sub.details["generic_per_100"] = per_100
    if penalty:
        sub.score = max(0, sub.score - penalty)
        example = GENERIC_PHRASES.search(text)
        sub.evidence.append(
            f"general statements: {spec['generic']} in {spec['words']} words, e.g. “{example.group(0) if example else ''}”"
        )
        sub.improvement = "Replace general statements with one specific example: what you did, with a number."
    return sub


def star_parts(text: str) -> dict[str, str]:
    """STAR part -> the sentence that shows it (parts not found are absent)."""
    found: dict[str, str] = {}
    for part, cue in STAR_CUES.items():
        for sentence in sentences(text):
            if cue.search(sentence):
                found[part] = sentence
                break
    return found


def quantified(text: str) -> str | None:
    """The sentence with a number in it, if any; one that also reads as a result is preferred
    (quoted as the evidence of a quantified result)."""
    numbered = [s for s in sentences(text) if QUANTITY.search(s)]
    return next((s for s in numbered if STAR_CUES["result"].search(s)), numbered[0] if numbered else None)


def ownership(text: str) -> tuple[int, int]:
    words = re.findall(r"[a-z']+", text.lower())
    return sum(w in FIRST_PERSON for w in words), sum(w in TEAM_PERSON for w in words)


def behavioral_content(question: str, text: str) -> SubScore:
    parts = star_parts(text)
    number = quantified(text)
    mine, ours = ownership(text)
    evidence = [f"{part}: “{quote_around(s)}”" for part, s in parts.items()]
    spec = specificity(text)
    score = 0.75 * len(parts)  # up to 3
    if number:
        score += 0.8
        evidence.append(f"quantified: “{quote_around(number)}”")
    owned = mine >= 3 and mine >= 0.5 * ours
    if owned:
        score += 0.6
    elif ours > mine:
        score -= 0.4
    if spec["past_actions"] >= 3 or spec["past_actions"] >= 2 and spec["names"] + spec["numbers"] >= 1:
        score += 0.6  # tells what happened, not what usually happens
    missing = [p for p in STAR_CUES if p not in parts]
    if missing:
        improvement = {
            "situation": "Open with one sentence of context: where you were and what was at stake.",
            "task": "Say what you personally had to achieve (“my goal was…”).",
            "action": "Describe the steps you took yourself, in the first person (“I set up…, I asked…”).",
            "result": "Finish with the result and a number (“…which cut support tickets by 30%”).",
        }[missing[-1] if "result" in missing else missing[0]]
    elif not number:
        improvement = "Put a number on the result: time saved, percentage, users, money."
    elif not owned:
        improvement = f"Say “I” for what you did yourself; you said “we” {ours} times and “I” {mine} times."
    else:
        improvement = "Tighten the situation to one sentence and spend the time on your actions."
    details = {"star": sorted(parts), "quantified": bool(number), "i_count": mine, "we_count": ours}
    return SubScore("content", _clip(score), evidence, improvement, details)


def situational_content(question: str, text: str) -> SubScore:
    plan = len(PLAN_CUES.findall(text))
    checks = CHECK_CUES.search(text)
    tradeoff = TRADEOFF_CUES.search(text)
    mine, ours = ownership(text)
    parts = star_parts(text)
    evidence = []
    score = min(2.0, 0.5 * plan)
    if plan:
        evidence.append(f"plan: “{quote_around(_sentence_with(text, PLAN_CUES))}”")
    if checks:
        score += 1.0
        evidence.append(f"checks the outcome: “{quote_around(_sentence_with(text, CHECK_CUES))}”")
    if tradeoff:
        score += 0.8
        evidence.append(f"trade-off: “{quote_around(_sentence_with(text, TRADEOFF_CUES))}”")
    if mine >= 3:
        score += 0.6
    if "action" in parts or "result" in parts:
        score += 0.6  # backs the plan with something that happened
    improvement = (
        "Lay out your plan in steps (“First I would…, then…”)."
        if plan < 2
        else "Say how you would know it worked: what you would measure or check."
        if not checks
        else "Name a risk or trade-off of your approach and how you would handle it."
        if not tradeoff
        else "Back the plan with a short real example of when you did something similar."
    )
    return SubScore(
        "content",
        _clip(score),
        evidence,
        improvement,
        {"plan_cues": plan, "checks": bool(checks), "tradeoff": bool(tradeoff)},
    )


def _sentence_with(text: str, cue: re.Pattern[str]) -> str:
    return next((s for s in sentences(text) if cue.search(s)), text)


def card_key_points(question: str) -> tuple[list[str], list[list[str]]]:
    """(card names, key points) for the question; a key point is a small set of content-word
    stems from one clause of the card's definition, how it works, trade-offs or example."""
    from cuecard.knowledge.retrieval import retrieve

    retrieval = retrieve(question)
    names: list[str] = []
    points: list[list[str]] = []
    for card in retrieval.cards[:2]:
        names.append(card.name)
        for field in ("definition", "how_it_works", "tradeoffs", "when_to_use", "when_not_to_use", "example"):
            for clause in re.split(r"[.;:]", getattr(card, field)):
                terms = content_terms(clause)
                if len(terms) >= 2:
                    points.append(terms[:6])
    return names, points


def point_covered(point: list[str], answer_stems: set[str]) -> bool:
    hits = sum(1 for t in point if t in answer_stems)
    return hits >= max(2, (len(point) + 1) // 2)


def technical_content(question: str, text: str) -> SubScore:
    names, points = card_key_points(question)
    answer_stems = {stem(w) for w in re.findall(r"[a-z0-9+#']+", text.lower()) if w not in STOPWORDS}
    example = EXAMPLE_CUES.search(text)
    tradeoff = TRADEOFF_CUES.search(text)
    evidence: list[str] = []
    if points:
        covered = [p for p in points if point_covered(p, answer_stems)]
        coverage = len(covered) / len(points)
        score = min(3.0, 3.0 * coverage / 0.4)  # 40% of a card's points is a full explanation aloud
        for point in covered[:3]:
            evidence.append(f"covers “{quote_around(_sentence_with_terms(text, point))}”")
    else:
        q_terms = content_terms(question)
        coverage = sum(1 for t in q_terms if t in answer_stems) / max(1, len(q_terms))
        score = 2.0 * coverage + min(1.0, len(sentences(text)) / 6)
    if example:
        score += 1.0
        evidence.append(f"example: “{quote_around(_sentence_with(text, EXAMPLE_CUES))}”")
    if tradeoff:
        score += 1.0
        evidence.append(f"trade-off: “{quote_around(_sentence_with(text, TRADEOFF_CUES))}”")
    if points and coverage < 0.2:
        improvement = f"Explain how {names[0]} works, step by step, before anything else."
    elif not tradeoff:
        improvement = "Add a trade-off: what it costs or when you would not use it."
    elif not example:
        improvement = "Add a concrete example (“for example, in my last project…”)."
    else:
        improvement = "Open with a one-sentence definition, then the mechanism, then the example."
    details = {"cards": names, "coverage": round(coverage, 2), "example": bool(example), "tradeoff": bool(tradeoff)}
    return SubScore("content", _clip(score), evidence, improvement, details)


def _sentence_with_terms(text: str, terms: list[str]) -> str:
    best, best_hits = text, -1
    for sentence in sentences(text):
        stems = {stem(w) for w in re.findall(r"[a-z0-9+#']+", sentence.lower())}
        hits = sum(1 for t in terms if t in stems)
        if hits > best_hits:
            best, best_hits = sentence, hits
    return best


def cultural_content(question: str, text: str, job: Job | None) -> SubScore:
    lower = text.lower()
    evidence: list[str] = []
    ties: list[str] = []
    if job is not None:
        for name in (job.company, job.title):
            if name and name.lower() in lower:
                ties.append(name)
        answer_stems = {stem(w) for w in re.findall(r"[a-z0-9+#']+", lower)}
        for item in [*job.responsibilities, *job.required_skills][:20]:
            terms = content_terms(item)
            if terms and sum(t in answer_stems for t in terms) >= max(1, len(terms) // 2):
                ties.append(item)
    else:
        ties = [
            s
            for s in sentences(text)
            if re.search(r"\b(?:your|this) (?:company|team|product|mission|role|users)\b", s, re.I)
        ]
    motive = MOTIVE_CUES.search(text)
    example = EXAMPLE_CUES.search(text) or quantified(text) or STAR_CUES["action"].search(text)
    score = min(2.5, 1.0 * len(ties))
    if ties:
        evidence.append(f"ties to the company/role: {', '.join(t[:40] for t in ties[:3])}")
    if motive:
        score += 1.2
        evidence.append(f"reason: “{quote_around(_sentence_with(text, MOTIVE_CUES))}”")
    if example:
        score += 1.3
        evidence.append(
            f"example: “{quote_around(example if isinstance(example, str) else _sentence_with(text, re.compile(re.escape(example.group(0)))))}”"
        )
    improvement = (
        "Name the company and what it does that matters to you — tie your answer to this role."
        if not ties
        else "Give the personal reason behind it (“I care about… because…”)."
        if not motive
        else "Back it with one concrete example from your own work."
        if not example
        else "Close by connecting it to what you would do in the first months in this role."
    )
    return SubScore(
        "content",
        _clip(score),
        evidence,
        improvement,
        {"ties": ties[:5], "motive": bool(motive), "example": bool(example)},
    )
