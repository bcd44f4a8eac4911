"""Typed entity candidates: well-known names, acronym definitions, typed noun phrases.

``match()`` gathers candidates from five sources, strongest first:

* ``acronym`` — a "Long Form (LF)" pair from ``kg_acronyms``, typed by the long
  form's head, and every later use of LF in the same text; a hyphenated long form of
  no known kind that modifies the next noun ("key-value (KV) caches") names that phrase,
  as do later uses before the same noun ("KV cache").  ``doc._.kg_definitions`` keeps
  each pair's keys for corpus-wide linking, those that gave no entity as votes only;
* ``gazetteer`` — names from ``gazetteer.tsv`` (case-sensitive when written with
  capitals), and versioned model names such as ``Qwen2.5-7B`` or ``GPT-4o``;
* ``ner`` — spans of ``kg_ner``, the statistical NER trained on annotated
  abstracts (``training/``, shipped in ``kg/models/ner``): Method, Dataset,
  Task, Metric — or the type of its head word when the lexicon knows it, so
  "graph neural network" is a Model; tidied
  (cut at a bracket, function words off both ends) and held to the same generic
  filter as noun phrases;
* ``appos`` — a coined name typed by its apposition ("CASTILLO, a dataset …");
* ``phrase`` — a noun chunk typed by its head word (see ``kg.extract.lexicon``)
  after generic words are trimmed (with the NER on, a data phrase must hold a
  capital letter: "parallel corpora" is a description, not a dataset).

NER spans and noun phrases are also reshaped (chosen on the annotated corpora): "BLEU
scores" is the metric "BLEU", "parsing accuracy" is the task "parsing" and the metric
"accuracy", "Europarl datasets" is the dataset "Europarl", a plural task word names
outputs ("fluent translations" is no task), and vague heads ("real-world applications",
"efficiency", "semantic tasks") count as generic.

How a span is cut, keyed and judged generic is in ``kg.extract.spans``.

A lone acronym that this text never defines is kept as ``short``: whether it
joins an entity is decided across the corpus.  ``set_annotations()`` keeps
non-overlapping candidates (longest first) in ``doc._.kg_entities`` as plain
``[start_char, end_char, type, key, source]`` lists.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token

from kg.extract.acronyms import is_short_form, short_form_key
from kg.extract.lexicon import GENERIC_HEADS, gazetteer, head_type, is_stop_phrase
from kg.extract.spans import (is_generic, keep_first_letter, lexicon_type, name_like, phrase_key, tidy, trim,
                              verb_phrase)

if not Doc.has_extension("kg_entities"):
    Doc.set_extension("kg_entities", default=None)
if not Doc.has_extension("kg_definitions"):
    Doc.set_extension("kg_definitions", default=None)  # [short key, long key, 1 if an entity came of it]

Candidate = tuple[int, int, str | None, str, str]  # start_char, end_char, type, key, source

_PRIORITY = {"acronym": 5, "gazetteer": 4, "ner": 3, "appos": 2, "phrase": 1, "short": 0}
NER_LABELS = frozenset({"Method", "Model", "Dataset", "Task", "Metric"})
# Versioned names of well-known model families.
_MODEL_FAMILY = re.compile(
    r"^(?:GPT-?\d[\w.\-]*|GPT-4o[\w.\-]*|o[134](?:-mini)?|LLaMA-?\d[\w.\-]*|Llama-?\d[\w.\-]*|Qwen\d[\w.\-]*|"
    r"Mistral-[\w.\-]+|Mixtral-[\w.\-]+|Gemma-?\d[\w.\-]*|Gemini-?\d[\w.\-]*|Claude-?\d[\w.\-]*|"
    r"DeepSeek-[\w.\-]+|Phi-\d[\w.\-]*|PaLM-?\d[\w.\-]*|T5-[\w.\-]+|ViT-[\w./\-]+|ResNet-?\d+|"
    r"BERT-[\w.\-]+|RoBERTa-[\w.\-]+|OPT-[\w.\-]+|Pythia-[\w.\-]+|Falcon-[\w.\-]+|InternLM\d?[\w.\-]*|"
    r"Yi-[\w.\-]+|SDXL[\w.\-]*|SD-?\d[\w.\-]*|StarCoder\d?-[\w.\-]+|WizardCoder-[\w.\-]+|CodeLlama-[\w.\-]+)$"
)
# A version or size after a known name: "Stable Diffusion XL", "… 3.5", "BERT Large", "… v2".
_VERSION = re.compile(r"^(?:v?\d[\w.]*|X*L|Turbo|Pro|Mini|Large|Base|Small|Medium|Ultra|Plus|Max|Instruct|Chat|Lite)$",
                      re.IGNORECASE)
# Words for the kind of a known name, and the type the name must have: "Europarl datasets", "QA task".
_KIND_HEADS = {"dataset": "Dataset", "corpus": "Dataset", "database": "Dataset", "benchmark": "Dataset",
               "task": "Task", "problem": "Task", "challenge": "Task"}
# Heads the lexicon types Method that the annotated corpora mostly mark as tasks.
_TASK_OR_METHOD_HEADS = frozenset({"alignment", "inference", "search"})


@Language.factory("kg_entities", default_config={"use_phrases": True, "use_gazetteer": True, "use_ner": True})
def make_entities(nlp: Language, name: str, use_phrases: bool, use_gazetteer: bool, use_ner: bool) -> EntityRecognizer:
    return EntityRecognizer(nlp, use_phrases=use_phrases, use_gazetteer=use_gazetteer, use_ner=use_ner)


class EntityRecognizer:
    """Finds typed entity candidates; needs the parser (noun chunks) and ``kg_acronyms``."""

    def __init__(self, nlp: Language, *, use_phrases: bool = True, use_gazetteer: bool = True, use_ner: bool = True):
        self.use_phrases = use_phrases
        self.use_gazetteer = use_gazetteer
        self.use_ner = use_ner
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.types: dict[str, str] = {}
        for name, type_ in gazetteer():
            self.types[name.lower()] = type_
            matcher = self.exact if any(c.isupper() for c in name) else self.folded
            matcher.add(type_, [nlp.make_doc(name)])
        self.families = Matcher(nlp.vocab)
        self.families.add("Model", [[{"TEXT": {"REGEX": _MODEL_FAMILY.pattern}}]])
        # The English lemmatizer's nouns, read on first use: its tables are filled after this runs
        # when the pipeline is loaded from disk.
        self._lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
        self._nouns: frozenset[str] | None = None

    @property
    def nouns(self) -> frozenset[str]:
        if self._nouns is None:
            lookups = getattr(self._lemmatizer, "lookups", None)
            index = lookups.get_table("lemma_index", {}) if lookups is not None else {}
            self._nouns = frozenset(index.get("noun", ()))
        return self._nouns

    def __call__(self, doc: Doc) -> Doc:
        return self.set_annotations(doc, self.match(doc))

    # --- matching ------------------------------------------------------------

    def match(self, doc: Doc) -> list[Candidate]:
        found: list[Candidate] = []
        if self.use_gazetteer:
            found += self._gazetteer(doc)
        found += self._acronyms(doc)
        if self.use_ner:
            found += self._ner(doc)
        if self.use_phrases:
            found += self._appositions(doc)
            phrases = self._phrases(doc)
            if self.use_ner and doc.has_annotation("ENT_IOB"):
                # With the trained NER, a data phrase must hold a name: "AMBER benchmark" stays,
                # "parallel corpora" and "large training corpora" go (measured: fewer false Datasets).
                phrases = [c for c in phrases if c[2] != "Dataset" or any(ch.isupper() for ch in doc.text[c[0]:c[1]])]
            found += phrases
        found += self._short_forms(doc)
        return found

    def _gazetteer(self, doc: Doc) -> list[Candidate]:
        out = []
        for matcher in (self.exact, self.folded, self.families):
            for label, start, end in matcher(doc):
                span = doc[start:end]
                type_ = doc.vocab.strings[label]
                out.append((span.start_char, span.end_char, type_, phrase_key(span, self.nouns), "gazetteer"))
        return out

    def _acronyms(self, doc: Doc) -> list[Candidate]:
        out = []
        definitions = doc._.kg_definitions = []
        for long_start, long_end, short_start, short_end in doc._.kg_acronyms or []:
            long_span = doc.char_span(long_start, long_end)
            if long_span is None:
                continue
            trimmed = trim(long_span)
            if trimmed is None:
                continue
            trimmed = keep_first_letter(long_span, trimmed, doc.text[short_start:short_end])
            key = phrase_key(trimmed, self.nouns)
            short = short_form_key(doc.text[short_start:short_end]).lower()
            votes = short != key.replace(" ", "") and key[0] == short[0]
            type_ = self.types.get(key) or lexicon_type(trimmed[-1])
            # A hyphenated long form of no known kind may be a modifier: "Kullback-Leibler (KL) divergence".
            head = None if type_ else _modified_noun(doc, long_span, short_end, self.nouns)
            if type_ is None and head is None:
                # An unknown head: a coined multi-word name is most often a method.
                if len(trimmed) < 2 or trimmed[-1].pos_ not in ("NOUN", "PROPN") or is_stop_phrase(key):
                    # No entity, but a vote on the acronym's meaning across the corpus:
                    # "autoregressive (AR)" against another paper's "Alignment Resampling (AR)".
                    if votes:
                        definitions.append([short, key, 0])
                    continue
                type_ = "Method"
            if votes:
                definitions.append([short, key, 1])
            long_text = doc.text[long_start:long_end]
            uses = [(start, end) for start, end, ls, le in doc._.kg_acronym_uses or [] if doc.text[ls:le] == long_text]
            if head is not None:
                # The pair names the noun after it, and so do later uses before that noun ("KV cache").
                key = f"{' '.join(trimmed.text.lower().split())} {phrase_key(head, self.nouns)}"
                type_ = self.types.get(key) or lexicon_type(head[0]) or "Method"
                out.append((trimmed.start_char, head.end_char, type_, key, "acronym"))
                for start, end in uses:
                    use = _modified_noun_after(doc.char_span(start, end), head[0])
                    if use is not None:
                        out.append((start, use.end_char, type_, key, "acronym"))
                continue
            out.append((trimmed.start_char, trimmed.end_char, type_, key, "acronym"))
            out.append((short_start, short_end, type_, key, "acronym"))
            out += [(start, end, type_, key, "acronym") for start, end in uses]
        return out

    def _ner(self, doc: Doc) -> list[Candidate]:
        """Spans of the trained NER (``doc.ents``), tidied and filtered like noun phrases.

        The NER knows Method, Dataset, Task and Metric; a span whose head word
        has a type in the lexicon takes that type, so a Method ending in "network"
        or "model" becomes a Model.
        """
        out = []
        for ent in doc.ents:
            if ent.label_ not in NER_LABELS:
                continue
            span = tidy(ent)
            if span is None:
                continue
            span = self._scores_of(span)
            key = phrase_key(span, self.nouns)
            # A known name is never generic, in the plural too ("accuracies").
            if is_stop_phrase(key) or (is_generic(span) and key not in self.types):
                continue
            # A known name or a typed head word decides ("graph neural network" → Model, "ReTruthQA
            # dataset" → Dataset); the NER's label is used otherwise (measured: better on both corpora).
            # But a few heads name what is done as often as how ("word alignment", "Web search",
            # "textual inference"): there the NER's Task stands.
            by_head = lexicon_type(span[-1])
            if ent.label_ == "Task" and span[-1].lemma_.lower() in _TASK_OR_METHOD_HEADS:
                by_head = None
            type_ = self.types.get(key) or self._version_of_known(span) or by_head \
                or self._known_last_word(span) or ent.label_
            if type_ in ("Model", "Dataset") and verb_phrase(list(span)):
                continue  # "fine-tune a base model": what is done to a model, not one
            if type_ == "Dataset" and len(span) == 1 and span.text.islower() and key not in self.types:
                continue  # "balance computation and communication": a lone common word names no dataset
            out += _typed_candidates(span, key, type_, "ner")
        return out

    def _version_of_known(self, span: Span) -> str | None:
        """The type of a known name followed by a version or size: "Stable Diffusion XL",
        "Stable Diffusion 3.5", "BERT Large"."""
        for end in range(len(span) - 1, 0, -1):
            type_ = self.types.get(span[:end].text.lower())
            if type_:
                rest = [t for t in span[end:] if t.text != "-"]
                return type_ if rest and all(_VERSION.match(t.text) for t in rest) else None
        return None

    def _known_last_word(self, span: Span) -> str | None:
        """A phrase that ends in a known name written as such is of its type: "offline DPO",
        "Dr. DPO"."""
        last = span[-1]
        if len(span) > 1 and any(c.isupper() for c in last.text) and span[0].tag_ not in ("VB", "VBG") \
                and not any(t.tag_ == "IN" for t in span):  # not "interpretation of S4", "training S4"
            return self.types.get(last.lower_)
        return None

    def _appositions(self, doc: Doc) -> list[Candidate]:
        out = []
        for token in doc:
            if token.dep_ != "appos":
                continue
            for name, noun in ((token.head, token), (token, token.head)):
                type_ = head_type(noun.lemma_)
                if type_ and name_like(name) and noun.pos_ == "NOUN":
                    out.append((name.idx, name.idx + len(name.text), type_, name.text.lower(), "appos"))
        return out

    def _phrases(self, doc: Doc) -> list[Candidate]:
        out = []
        for chunk in doc.noun_chunks:
            span = trim(chunk)
            if span is None:
                continue
            span = self._scores_of(span)
            key = phrase_key(span, self.nouns)
            if is_stop_phrase(key):
                continue
            head = span[-1]
            type_ = self.types.get(key) or lexicon_type(head)
            if type_ is None:
                continue
            if not is_generic(span):
                out += _typed_candidates(span, key, type_, "phrase")
        return out

    def _short_forms(self, doc: Doc) -> list[Candidate]:
        out = []
        for token in doc:
            text = token.text
            if is_short_form(text) and short_form_key(text).isupper() and len(short_form_key(text)) >= 2:
                out.append((token.idx, token.idx + len(text), None, short_form_key(text).lower(), "short"))
        return out

    def _scores_of(self, span: Span) -> Span:
        """"BLEU scores" → "BLEU": the values of a known metric are named by the metric."""
        if len(span) > 1 and span[-1].lower_ == "scores" and self.types.get(span[:-1].text.lower()) == "Metric":
            return span[:-1]
        return span

    # --- annotations ---------------------------------------------------------

    def set_annotations(self, doc: Doc, candidates: list[Candidate]) -> Doc:
        """Keep the longest candidates, the strongest source first on equal length, without overlaps."""
        ranked = sorted(set(candidates), key=lambda c: (-(c[1] - c[0]), -_PRIORITY[c[4]], c[0], c[2] or "", c[3]))  # a total order: no set-order luck
        taken: list[Candidate] = []
        used = bytearray(len(doc.text) + 1)
        for cand in ranked:
            start, end = cand[0], cand[1]
            if any(used[start:end]):
                continue
            if cand[4] == "phrase" and self._wraps_known_name(cand, ranked):
                continue
            if cand[4] == "ner" and self._known_name_and_kind(cand, ranked, doc):
                continue
            used[start:end] = b"\x01" * (end - start)
            taken.append(cand)
        doc._.kg_entities = [list(c) for c in sorted(taken)]
        return doc

    @staticmethod
    def _known_name_and_kind(cand: Candidate, ranked: list[Candidate], doc: Doc) -> bool:
        """"Europarl datasets", "question answering task": a statistical span that is a known
        dataset or task followed by a word for its kind yields the known name, so that it joins
        the name's other mentions.  Methods and models keep their head ("EM algorithm"): SciERC
        annotates them whole, and scores fell when they did not."""
        start, end, _, key, _ = cand
        kind = _KIND_HEADS.get(key.rsplit(" ", 1)[-1])
        if kind is None:
            return False
        span = doc.char_span(start, end)
        if span is None or len(span) < 2:
            return False
        head_start = span[-1].idx
        return any(o[4] in ("gazetteer", "acronym") and o[2] == kind and o[0] == start
                   and not doc.text[o[1]:head_start].strip() for o in ranked)

    @staticmethod
    def _wraps_known_name(cand: Candidate, ranked: list[Candidate]) -> bool:
        """"GPT-4 model", "LoRA method": a generic head around a known name yields the name."""
        start, end, _, key, _ = cand
        if key.rsplit(" ", 1)[-1] not in GENERIC_HEADS:
            return False
        return any(o[4] in ("gazetteer", "acronym") and start <= o[0] and o[1] < end for o in ranked)


def _typed_candidates(span: Span, key: str, type_: str, source: str) -> list[Candidate]:
    """A typed span as candidates: none for a task's outputs, two for "parsing accuracy", else itself."""
    if type_ == "Task" and _outputs(span[-1]):
        return []
    if type_ == "Task" and span[-1].lower_ == "tasks" \
            and all(t.pos_ in ("ADJ", "PUNCT") or t.is_stop for t in span[:-1]):
        return []  # "semantic tasks", "collaborative tasks": a kind of task, not one
    split = _task_measure(span) if type_ == "Metric" else None
    if split:
        return [(part.start_char, part.end_char, part_type, phrase_key(part), source) for part, part_type in split]
    return [(span.start_char, span.end_char, type_, key, source)]


def _task_measure(span: Span) -> list[tuple[Span, str]] | None:
    """"parsing accuracy" → the task "parsing" and the metric "accuracy"."""
    if len(span) < 2 or span[-1].lower_ not in ("accuracy", "accuracies") \
            or "Task" not in (head_type(span[-2].lemma_), head_type(span[-2].lower_)):
        return None
    return [(span[:-1], "Task"), (span[-1:], "Metric")]


def _outputs(head: Token) -> bool:
    """A plural task word names what a task produces: "fluent translations", "the predictions"."""
    return head.tag_ == "NNS" and head.lemma_.lower() != "task" and head_type(head.lemma_) == "Task"


def _modified_noun(doc: Doc, long_span: Span, short_end: int, nouns: frozenset[str]) -> Span | None:
    """The noun a hyphenated long form modifies: "key-value (KV) caches" → "caches", when the long
    form's last word hangs on it; None for a generic noun ("learning-based (LB) methods")."""
    after = doc.char_span(short_end, short_end + 1)
    if after is None or after.end >= len(doc) or after[0].text != ")":
        return None
    noun, last = doc[after.end], long_span[-1]
    if len(long_span) < 3 or long_span[-2].text != "-":
        return None  # "high-bandwidth memory (HBM) regime": a name of its own before a word of context
    if not (noun.pos_ == "NOUN" or noun.pos_ == "PROPN" and noun.text.islower()):
        return None
    hangs_on = last.head.i == noun.i and last.dep_ in ("nmod", "compound", "amod")
    if not hangs_on and not (noun.head.i == last.i and noun.dep_ == "appos"):  # a misparse: "value … caches"
        return None
    if noun.dep_ == "ROOT" or noun.tag_ == "NNS" and noun.lemma_.lower() not in nouns:
        return None  # a verb read as a noun: "estimator (MLE) converges"
    if noun.lemma_.lower() in GENERIC_HEADS and head_type(noun.lemma_.lower()) != "Metric":
        return None  # a kind of thing, not a name: "learning-based (LB) methods"; "divergence" stays
    return doc[noun.i:noun.i + 1]


def _modified_noun_after(use: Span, noun: Token) -> Span | None:
    """The same noun right after a later use of the acronym ("KV cache", "KV-cache"), or None."""
    doc, i = use.doc, use.end
    if i < len(doc) and doc[i].text == "-":
        i += 1
    if i >= len(doc) or doc[i].lemma_.lower() != noun.lemma_.lower():
        return None
    return doc[i:i + 1]
