"""Turn the best checkpoint of ``spacy train`` into the model kg ships in ``kg/models/ner``.

    python training/finalize.py training/output/model-best kg/models/ner

The NER gets its own copy of any tok2vec it listened to (so it can be added to
kg's pipeline on its own), the pipeline keeps only the NER, and the metadata
names the training data and their licences.  The target folder is replaced.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import spacy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

import functions  # noqa: E402,F401  (registers the callback named in the config)

SOURCES = [
    {"name": "SciERC (Luan et al., 2018), train split", "url": "http://nlp.cs.washington.edu/sciIE/",
     "license": "none stated; widely used for research"},
    {"name": "TDMSci (Hou et al., 2021), train split less every 5th sentence", "url":
     "https://github.com/IBM/tdmsci", "license": "Apache-2.0"},
    {"name": "SciREX (Jain et al., 2020), train split", "url": "https://github.com/allenai/SciREX",
     "license": "Apache-2.0"},
]
MAX_MB = 30


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)

    nlp = spacy.load(args.model)
    if "tok2vec" in nlp.pipe_names:
        nlp.replace_listeners("tok2vec", "ner", ["model.tok2vec"])
        nlp.remove_pipe("tok2vec")
    meta = nlp.meta
    meta.update({
        "name": "kg_ner", "version": "1.0.0",
        "description": "kg's entity recogniser: Method, Dataset, Task and Metric spans in paper titles and "
                       "abstracts (CPU, hash embeddings + CNN). Trained by `make train`.",
        "author": "kg", "license": "MIT, like kg; trained on the data in sources (SciERC states no licence)",
        "sources": SOURCES,
    })
    for key in ("url", "email"):
        meta.pop(key, None)
    nlp.meta.update(meta)
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.out)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file()) / 2**20
    print(json.dumps({"out": str(args.out), "pipeline": nlp.pipe_names, "labels": list(nlp.get_pipe("ner").labels),
                      "size_mb": round(size, 2), "dev_scores": meta.get("performance", {}).get("ents_per_type")},
                     indent=2))
    if size > MAX_MB:
        sys.exit(f"the model is {size:.1f} MB, more than {MAX_MB} MB")


if __name__ == "__main__":
    main()
