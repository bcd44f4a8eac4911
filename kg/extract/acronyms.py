"""Acronym definitions: "Long Form (LF)" pairs found the Schwartz–Hearst way.

For every parenthesis holding one short token, the long form is searched in the
words just before it: the acronym's characters must appear in order, from the
right, with its first character starting a word (Schwartz & Hearst, 2003).
Results are stored as plain character offsets in ``doc._.kg_acronyms`` —
``[long_start, long_end, short_start, short_end]`` — so they survive
``nlp.pipe(n_process=2)``; later uses of the acronym in the same text are in
``doc._.kg_acronym_uses`` as ``[start, end, long_start, long_end]``.
"""

from __future__ import annotations

import functools
import re

from spacy.language import Language
from spacy.tokens import Doc

if not Doc.has_extension("kg_acronyms"):
    Doc.set_extension("kg_acronyms", default=None)
if not Doc.has_extension("kg_acronym_uses"):
    Doc.set_extension("kg_acronym_uses", default=None)

_SHORT = re.compile(r"^[A-Za-z][A-Za-z0-9\-.&/+]{0,11}$")


def short_form_key(short: str) -> str:
    """``LLMs`` → ``LLM``: a plural acronym names the same thing."""
    if len(short) > 2 and short.endswith("s") and short[:-1].isupper():
        return short[:-1]
    return short


@functools.lru_cache(maxsize=1 << 17)  # canonicalisation asks of every mention; names recur
def is_short_form(text: str) -> bool:
    """An acronym: 2–12 characters, a letter first, and two capitals (or a capital and a digit)."""
    if not _SHORT.match(text) or len(text) < 2:
        return False
    capitals = sum(c.isupper() for c in text)
    return capitals >= 2 or (capitals == 1 and any(c.isdigit() for c in text))


def find_long_form(short: str, words: list[str]) -> int | None:
    """Index of the word where the long form starts, or None (Schwartz–Hearst).

    >>> find_long_form("SGG", ["aims", "to", "do", "Scene", "Graph", "Generation"])
    3
    >>> find_long_form("LLMs", ["use", "Large", "Language", "Models"])
    1
    >>> find_long_form("XYZ", ["a", "fine", "model"]) is None
    True
    >>> find_long_form("OntoNotes", ["operationalization", "across", "datasets"]) is None
    True
    """
    key = short_form_key(short)
    letters = [c for c in key.lower() if c.isalnum()]
    if not letters:
        return None
    text = " ".join(w.lower() for w in words)
    s_index = len(letters) - 1
    l_index = len(text) - 1
    while s_index >= 0:
        char = letters[s_index]
        # The first character of the acronym must start a word.
        while l_index >= 0 and (text[l_index] != char or (s_index == 0 and l_index > 0 and text[l_index - 1].isalnum())):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    start_char = l_index + 1
    # Map the character position back to a word index.
    position = 0
    for i, word in enumerate(words):
        if position <= start_char < position + len(word) + 1:
            return i if _capitals_start_words(key, words[i:]) else None
        position += len(word) + 1
    return None


def _capitals_start_words(key: str, words: list[str]) -> bool:
    """A short form in mixed case ("OntoNotes", "NIRCam") is often a name of its own: its first
    and last capitals must each start a word of the long form (or a part after a hyphen or slash),
    or stand as capitals inside one ("REPresentation Alignment (REPA)").

    Stricter than Schwartz–Hearst, whose letters may come from anywhere in a word: without it
    "OntoNotes" would be defined by "operationalization across datasets". Acronyms in capitals
    keep that freedom: "backpropagation (BP)", "sparse autoencoders (SAEs)".
    """
    capitals = [c.lower() for c in key if c.isupper()]
    if not capitals or not any(c.islower() for c in key):
        return True
    marks = {part[0].lower() for word in words for part in re.split(r"[-/]", word) if part}
    marks.update(c.lower() for word in words for c in word if c.isupper())
    return capitals[0] in marks and capitals[-1] in marks


_NAME_WITH_STOP = re.compile(r"^[A-Za-z][\w\-]*[0-9A-Z]\.$")


@Language.factory("kg_split_stops")
def make_split_stops(nlp: Language, name: str):
    """Split the full stop off a name that ends a sentence: spaCy keeps "on GSM8K." as one token.

    The name is split exactly as the tokenizer splits it elsewhere ("GSM8", "K"),
    so that phrase matching finds it in both places.
    """

    def split_stops(doc: Doc) -> Doc:
        targets = [t for t in doc if _NAME_WITH_STOP.match(t.text) and is_short_form(t.text[:-1])]
        with doc.retokenize() as retokenizer:
            for token in targets:
                parts = [t.text for t in nlp.tokenizer(token.text[:-1])] + ["."]
                retokenizer.split(token, parts, heads=[(token, len(parts) - 1)] * len(parts))
        return doc

    return split_stops


@Language.factory("kg_acronyms", default_config={"max_words": 8})
def make_acronyms(nlp: Language, name: str, max_words: int) -> AcronymDetector:
    return AcronymDetector(max_words=max_words)


class AcronymDetector:
    """Finds "Long Form (LF)" definitions and the later uses of each LF."""

    def __init__(self, *, max_words: int = 8):
        self.max_words = max_words

    def __call__(self, doc: Doc) -> Doc:
        return self.set_annotations(doc, self.match(doc))

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """Definitions as (long start token, long end token, short start token, short end token)."""
        found = []
        for i, token in enumerate(doc):
            if token.text != "(" or i + 2 >= len(doc) or doc[i + 2].text not in (")", ";", ","):
                continue
            short = doc[i + 1]
            if not is_short_form(short.text) or i == 0:
                continue
            n_letters = len(short_form_key(short.text))
            window = min(self.max_words, n_letters + 5, 2 * n_letters + 1)
            begin = i
            # The long form lies in the same sentence, before the parenthesis, without punctuation breaks.
            while begin > 0 and i - begin < window:
                prev = doc[begin - 1]
                if prev.is_space or prev.is_punct and prev.text not in ("-", "/") or prev.is_sent_end:
                    break
                begin -= 1
            words = [t.text for t in doc[begin:i]]
            start = find_long_form(short.text, words)
            if start is None:
                continue
            long_start = begin + start
            if i - long_start < 1 or doc[i - 1].text.lower() == short.text.lower():
                continue
            found.append((long_start, i, i + 1, i + 2))
        return found

    def set_annotations(self, doc: Doc, found: list[tuple[int, int, int, int]]) -> Doc:
        definitions = []
        long_of: dict[str, tuple[int, int]] = {}
        for ls, le, ss, se in found:
            long_span, short_span = doc[ls:le], doc[ss:se]
            definitions.append([long_span.start_char, long_span.end_char, short_span.start_char, short_span.end_char])
            long_of.setdefault(short_form_key(short_span.text), (long_span.start_char, long_span.end_char))
        uses = []
        defined_at = {d[2] for d in definitions}
        for token in doc:
            key = short_form_key(token.text)
            if key in long_of and token.idx not in defined_at:
                uses.append([token.idx, token.idx + len(token.text), *long_of[key]])
        doc._.kg_acronyms = definitions
        doc._.kg_acronym_uses = uses
        return doc
