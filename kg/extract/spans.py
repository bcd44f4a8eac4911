"""How a candidate span is cut, keyed and judged: the span-level rules behind ``kg_entities``.

``tidy()`` shapes a statistical NER span and ``trim()`` a noun chunk (function and
generic words off the edges, never starting inside a word, clauses refused);
``phrase_key()`` gives the lower-case key with a plural head made singular;
``is_generic()`` tells "a novel framework" from "graph neural network".  They read
token annotations only (tags, dependencies, lemmas) and know nothing of the pipeline.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from kg.extract.acronyms import is_short_form, short_form_key
from kg.extract.lexicon import GENERIC_HEADS, GENERIC_MODIFIERS, OPENING_VERBS, VAGUE_MODIFIERS, head_type

_NAME_LIKE = re.compile(r"^(?=.*[A-Za-z])(?:[A-Z0-9][A-Za-z0-9]*[A-Z0-9][\w.\-]*|[A-Z][a-z]+[A-Z][\w.\-]*)$")
_WEAK_MODIFIERS = frozenset("""large small deep shallow complex sophisticated lightweight strong weak
    big tiny huge fast slow accurate""".split())
_VAGUE_WORDS = _WEAK_MODIFIERS | GENERIC_MODIFIERS | VAGUE_MODIFIERS
_MAX_TOKENS = 7
_EDGE_POS = frozenset({"DET", "PRON", "ADP", "CCONJ", "SCONJ", "PART", "PUNCT", "AUX"})
_MAX_NER_TOKENS = 8  # longer spans are mostly whole titles
# Nouns used as written though they look plural: fields of study and the like ("robotics", "time
# series"), and "data" and "media", whose singulars ("datum", "medium") papers do not mean.
_SINGULAR_IN_S = frozenset("""data metadata media multimedia
    series species news statistics robotics economics analytics forensics physics mathematics
    linguistics genomics semantics ethics graphics optics mechanics electronics informatics bioinformatics acoustics
    pragmatics phonetics logistics econometrics kinematics aesthetics""".split())
_VERB_TAGS = frozenset({"VB", "VBD", "VBP", "VBZ", "MD"})  # not VBG ("parsing") nor VBN ("test set")
_NAMING_VERBS = frozenset({"named", "called", "dubbed", "termed", "coined"})  # "a novel algorithm, named AdvDM"


def lexicon_type(token: Token) -> str | None:
    """The type the lexicon gives a head word, by its lemma or as written ("networks", "tagging")."""
    return head_type(token.lemma_) or head_type(token.lower_)


def name_like(token: Token) -> bool:
    return bool(_NAME_LIKE.match(token.text)) and len(token.text) >= 3


def _singular(token: Token) -> str:
    """The head word in the singular: the lemmatizer's where it has one, else the English endings
    ("Strategies" → "Strategy"); "training dynamics", "Corpus" and "Synthesis" stay as they are."""
    lemma, text = token.lemma_, token.text
    lower = text.lower()
    if lower in _SINGULAR_IN_S or lower.endswith(("dynamics", "ss", "us", "is")) or len(text) <= 3:
        return text
    if lemma.lower() != lower and lemma[:3].lower() == lower[:3]:
        return lemma
    if lower.endswith("ies") and len(text) > 4:
        return text[:-3] + ("Y" if text[-3].isupper() else "y")
    if lower.endswith(("sses", "ches", "shes", "xes")):
        return text[:-2]  # "Processes", "Approaches": proper nouns, which the lemmatizer leaves as written
    return text[:-1] if lower.endswith("s") else text


def phrase_key(span: Span, nouns: frozenset[str] = frozenset()) -> str:
    """Lower-case text with a plural head made singular: "Diffusion Models" → "diffusion model".

    A capitalised head the tagger calls a proper noun, or a plural it calls a verb, is made
    singular when its head type or ``nouns`` (English nouns) know the singular: "Support Vector
    Machines", "preference optimization algorithms"; "PAC-Bayes" and "TinyStories" stay.
    """
    head = span[-1]
    text = span.text
    before = [t for t in span[:-1] if t.tag_ != "HYPH"]
    if before and before[-1].tag_ == "IN":
        return " ".join(text.lower().split())  # "Mixture of Experts": the last word is no head
    if head.tag_ in ("NNS", "NNPS") or (head.tag_ in ("NNP", "VBZ") and head.text.endswith("s") and (
            head_type(head.text) or _singular(head).lower() in nouns)):
        if is_short_form(head.text):
            singular = short_form_key(head.text)
        else:
            singular = _singular(head)
        text = text[: head.idx - span.start_char] + singular
    return " ".join(text.lower().split())


def is_generic(span: Span) -> bool:
    """A generic head ("model", "task") without a specific modifier: "a novel framework"."""
    head = span[-1]
    forms = {head.lemma_.lower(), _singular(head).lower()}  # "Large Models" in a title: no lemma
    if len(span) == 1:
        forms.add(head.lower_)  # "learning" alone, whose lemma may be "learn"
    if GENERIC_HEADS.isdisjoint(forms):
        return False
    # Modifiers are whole words: "real-world" is one, though the tokenizer splits it.
    words: list[list[Token]] = []
    for t in span[:-1]:
        if words and t.i > span.start and not span.doc[t.i - 1].whitespace_:
            words[-1].append(t)
        else:
            words.append([t])
    for word in words:
        text = "".join(t.text for t in word).lower()
        tokens = [t for t in word if not t.is_punct]
        if not tokens or text in _VAGUE_WORDS or all(t.lower_ in _VAGUE_WORDS or t.tag_ in ("JJR", "JJS")
                                                      for t in tokens):
            continue
        return False
    return True


def _has_letter(tokens: list[Token]) -> bool:
    """"MT09" and "ACE-2" are names; "2012" and "(3)" are not."""
    return any(ch.isalpha() for t in tokens for ch in t.text)


def _mistagged_noun(last: Token, first: Token) -> bool:
    """A last word the tagger read as an adjective or verb that ends a name all the same: a word the
    lexicon types ("tagging" as JJ), a capitalised one after others ("labelling for German"), and
    "set" after others ("the NIST 2005 MT evaluation set", tagged VBD)."""
    if head_type(last.lower_):
        return True
    return last.i > first.i and ((last.pos_ == "ADJ" and last.text[:1].isupper()) or last.lower_ == "set")


def _finite_verb(token: Token) -> bool:
    """A lower-case present-tense verb ("recovers", "encounter"): a name does not run through one.
    Past tense is left out: the tagger gives it to participles ("reverse-KL regularized bandit")."""
    return token.tag_ in ("VBZ", "VBP") and token.pos_ in ("VERB", "AUX") and token.text.islower() \
        and token.lower_ != "set" and not lexicon_type(token) \
        and bool(token.doc[token.i - 1].whitespace_)  # not "play" of "self-play"


def _verb_with_subject(token: Token, span: Span) -> bool:
    """A present-tense verb whose subject is in the span, capitalised in a title too: "Optimal
    Control Meets Flow Matching" is a clause."""
    return token.tag_ in ("VBZ", "VBP") and token.pos_ == "VERB" and any(
        child.dep_ in ("nsubj", "nsubjpass") and span.start <= child.i < token.i for child in token.children)


def verb_phrase(tokens: list[Token]) -> bool:
    """A verb with its object, after an adverb or not ("successfully training diffusion models",
    "fine-tune a base model"): it says what is done, which may be a task but is no model."""
    words = [t for t in tokens if t.pos_ != "ADV"] if tokens[0].pos_ == "ADV" else tokens
    if not words or words[0].pos_ != "VERB" or words[0].tag_ not in ("VB", "VBG"):
        return False
    if tokens[0].pos_ == "ADV":
        return True  # "successfully training …", whatever the parser made of it
    inside = {t.i for t in tokens}
    return any(c.dep_ == "dobj" and c.i in inside for c in words[0].children)


def tidy(span: Span) -> Span | None:
    """A statistical span tidied: cut at a bracket (an acronym definition stays two mentions),
    function words dropped at both ends; None unless it ends in a noun or a name, or when it
    runs through a verb."""
    tokens = list(span)
    for i, token in enumerate(tokens):
        if token.text in ("(", "[") and i:
            tokens = tokens[:i]
            break
        if 0 < i < len(tokens) - 1 and (_finite_verb(token) or _verb_with_subject(token, span)
                                        or token.text == "Meets"):  # "Transformer Meets Text", tagged a noun
            return None  # "MoE architectures encounter substantial challenges": a clause, not a name
    while tokens and (tokens[0].pos_ in _EDGE_POS or tokens[0].tag_ in _VERB_TAGS
                      or tokens[0].lower_ in _NAMING_VERBS or not tokens[0].text[0].isalnum()):
        tokens.pop(0)
    while tokens and (tokens[-1].pos_ in _EDGE_POS or tokens[-1].is_punct):
        tokens.pop()
    if tokens and tokens[0].lower_ in OPENING_VERBS:
        return None  # "Mastering Ultra-Long Text Generation": a title's clause; its noun phrase may be found
    if not tokens or not _has_letter(tokens) or len(tokens) > _MAX_NER_TOKENS:
        return None
    text = "".join(t.text_with_ws for t in tokens)
    if text.count("(") != text.count(")") or text.count("[") != text.count("]"):
        return None
    first = _word_start(span.doc, tokens[0].i)
    if first < tokens[0].i and span.doc[first].text[0].isalnum():
        tokens = list(span.doc[first : tokens[0].i]) + tokens
    last = tokens[-1]
    if last.text.endswith("-"):
        return None  # "pre-" of "pre- and post-processing"
    if (last.pos_ in ("ADJ", "ADV") or last.tag_ in _VERB_TAGS) and not name_like(last) \
            and not is_short_form(last.text) and not _mistagged_noun(last, tokens[0]):
        return None  # "computational", "… exhibit": not a name; "test set" (VBN) and "parsing" (VBG) are
    if len(tokens) == 1 and last.tag_ == "VBG" and last.dep_ == "advcl":
        return None  # "…, highlighting how …": a participle opening a clause names no task
    return span.doc[tokens[0].i : last.i + 1]


def keep_first_letter(long_span: Span, trimmed: Span, short: str) -> Span:
    """Trimming must not take the content words that give an acronym its first letter:
    "Partially Observable Markov Decision Processes (POMDPs)", "whole slide images (WSIs)"."""
    first = long_span[0]
    dropped = long_span.doc[first.i : trimmed.start]
    if len(dropped) and first.lower_[0] == short[0].lower() and all(
            t.is_alpha and t.pos_ in ("ADJ", "ADV", "VERB", "NOUN", "PROPN") for t in dropped):
        return long_span.doc[first.i : trimmed.end]
    return trimmed


def trim(span: Span) -> Span | None:
    """Drop determiners, pronouns, numbers and generic words on the left; cut at brackets."""
    tokens = list(span)
    for i, token in enumerate(tokens):
        if token.text in ("(", ")", "[", "]", ":", ";", ",") or token.is_space:
            tokens = tokens[:i] if i else []
            break
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i].tag_ == "POS":  # "LLM's in-depth understanding" → "in-depth understanding"
            tokens = tokens[i + 1 :]
            break
        if i and tokens[i].lower_ in ("a", "an", "the") and tokens[i - 1].whitespace_:  # "fine-tune a base model"
            tokens = tokens[i + 1 :]
            break
    while tokens and (
        not tokens[0].text[0].isalnum()
        or tokens[0].tag_ in ("JJR", "JJS", "RBR", "RBS")
        or tokens[0].pos_ in ("DET", "PRON", "NUM", "PUNCT", "ADV", "CCONJ", "ADP", "PART", "SYM", "AUX", "VERB")
        or tokens[0].lower_ in GENERIC_MODIFIERS
        or tokens[0].lower_ in OPENING_VERBS
        or tokens[0].is_stop
    ):
        tokens.pop(0)
    if not tokens or len(tokens) > _MAX_TOKENS:
        return None
    if not _has_letter(tokens):
        return None
    start = _word_start(span.doc, tokens[0].i)
    if not span.doc[start].text[0].isalnum():
        return None
    return span.doc[start : tokens[-1].i + 1]


def _word_start(doc: Doc, i: int) -> int:
    """The first token of the word token ``i`` is in: a span never starts inside a word
    ("re-balancing methods" is not "-balancing methods", "few-shot CoT" not "shot CoT")."""
    while i > 0 and not doc[i - 1].whitespace_ and not doc[i - 1].is_space \
            and doc[i - 1].text not in ("(", "[", "{", '"', "'", "“", "‘", "/", "--", "—", "–"):
        i -= 1
    return i
