"""A synthetic but realistic-looking corpus, for the map's tests, benchmark and screenshot.

Papers are drawn from topics; each topic favours its own entities, with a few
very common ones (ImageNet, Transformer, accuracy…) shared by all, so the
co-occurrence graph has hubs and communities like a real one.  Everything is
seeded: the same arguments give the same graph.

>>> g = synthetic_graph(n_entities=40, n_papers=60, seed=1)
>>> sorted({d["type"] for _, d in g.nodes(data=True) if d["kind"] == "entity"})
['Dataset', 'Method', 'Metric', 'Model', 'Task']
"""

from __future__ import annotations

import random

import networkx as nx

from kg.graph.build import build_graph
from kg.records import Entity, ExtractedPaper, Mention, Paper

_HEADS = {
    "Model": ["BERT", "GPT-2", "T5", "ResNet-50", "ViT", "CLIP", "LLaMA", "Mistral", "Whisper", "Stable Diffusion",
              "SAM", "DINOv2", "Flan-T5", "RoBERTa", "Swin Transformer", "BLIP-2", "Qwen", "Gemma"],
    "Method": ["LoRA", "contrastive learning", "knowledge distillation", "Transformer", "attention", "dropout",
               "RLHF", "DPO", "chain-of-thought prompting", "retrieval-augmented generation", "mixture of experts",
               "diffusion model", "graph neural network", "quantization", "pruning", "instruction tuning",
               "beam search", "data augmentation", "self-supervised learning", "adversarial training"],
    "Dataset": ["ImageNet", "COCO", "SQuAD", "GLUE", "MMLU", "GSM8K", "HumanEval", "LibriSpeech", "CIFAR-10",
                "Common Crawl", "WikiText-103", "ScanNet", "nuScenes", "LAION-5B", "MS MARCO", "Visual Genome"],
    "Task": ["image classification", "question answering", "machine translation", "object detection",
             "semantic segmentation", "speech recognition", "text-to-image generation", "code generation",
             "summarization", "visual question answering", "named entity recognition", "3D reconstruction",
             "scene graph generation", "reasoning", "retrieval", "depth estimation"],
    "Metric": ["accuracy", "F1", "BLEU", "ROUGE-L", "mAP", "FID", "perplexity", "word error rate", "pass@1",
               "IoU", "exact match", "CLIP score"],
}
_PREFIX = ["Sparse", "Efficient", "Robust", "Hierarchical", "Multimodal", "Adaptive", "Causal", "Federated",
           "Masked", "Latent", "Contrastive", "Graph", "Neural", "Streaming", "Unified", "Compositional"]
_SUFFIX = {
    "Model": ["Net", "Former", "GPT", "LM", "ViT", "Diffuser"],
    "Method": ["attention", "distillation", "fine-tuning", "pretraining", "regularisation", "decoding"],
    "Dataset": ["Bench", "QA", "-1M", "Corpus", "Eval", "Set"],
    "Task": ["generation", "detection", "alignment", "retrieval", "forecasting", "planning"],
    "Metric": ["score", "recall", "error", "gain", "rate", "index"],
}
_TYPE_MIX = ["Method"] * 35 + ["Model"] * 25 + ["Task"] * 20 + ["Dataset"] * 14 + ["Metric"] * 6


def _names(n: int, rng: random.Random) -> list[tuple[str, str]]:
    # Round robin over the types, so every type has its well-known hubs.
    longest = max(len(names) for names in _HEADS.values())
    out = [(names[i], kind) for i in range(longest) for kind, names in _HEADS.items() if i < len(names)]
    seen = {name for name, _ in out}
    while len(out) < n:
        kind = rng.choice(_TYPE_MIX)
        name = f"{rng.choice(_PREFIX)}{rng.choice(['', '-', ' '])}{rng.choice(_SUFFIX[kind])}"
        if rng.random() < 0.5:
            name += f"-{rng.randint(2, 99)}"
        if name not in seen:
            seen.add(name)
            out.append((name, kind))
    return out[:n]


def synthetic_papers(n_entities: int = 600, n_papers: int = 1500, *, n_topics: int | None = None,
                     seed: int = 7) -> list[ExtractedPaper]:
    """``n_papers`` papers mentioning 3–9 of ``n_entities`` entities each (seeded)."""
    rng = random.Random(seed)
    names = _names(n_entities, rng)
    n_topics = n_topics or max(3, n_entities // 60)
    topic_of = [rng.randrange(n_topics) for _ in names]
    by_topic: list[list[int]] = [[] for _ in range(n_topics)]
    for index, topic in enumerate(topic_of):
        by_topic[topic].append(index)
    # Zipf-like popularity: a few hubs, a long tail.
    weight = [1.0 / (rank + 1) ** 0.9 for rank in range(len(names))]
    papers = []
    for number in range(n_papers):
        topic = rng.randrange(n_topics)
        k = rng.randint(3, 9)
        chosen: set[int] = set()
        pool = by_topic[topic] or list(range(len(names)))
        pool_weight = [weight[i] for i in pool]
        while len(chosen) < min(k, len(names)):
            if rng.random() < 0.8:
                chosen.add(rng.choices(pool, pool_weight)[0])
            else:
                chosen.add(rng.choices(range(len(names)), weight)[0])
        picked = sorted(chosen)
        first = names[picked[0]][0]
        title = f"{first} for {names[picked[-1]][0]}: a study {number}"
        year = 2018 + number % 7
        arxiv_id = f"{year % 100:02d}{(number % 12) + 1:02d}.{number:05d}"
        paper = Paper(id=f"arxiv:{arxiv_id}", title=title, abstract=f"We study {first}.",
                      date=f"{year}-{(number % 12) + 1:02d}-{(number % 28) + 1:02d}", year=year,
                      arxiv_id=arxiv_id, authors=[f"Author {number % 97}", f"Author {number % 89 + 100}"])
        entities = []
        for index in picked:
            name, kind = names[index]
            entity_id = f"{kind.lower()}:{name.lower().replace(' ', '-')}"
            entities.append(Entity(entity_id, name, kind, mentions=[Mention("abstract", 0, len(name), name)]))
        papers.append(ExtractedPaper(paper, entities))
    return papers


def synthetic_graph(n_entities: int = 600, n_papers: int = 1500, *, seed: int = 7, min_cooccur: int = 2) -> nx.Graph:
    """The graph ``build_graph`` makes of :func:`synthetic_papers`."""
    return build_graph(synthetic_papers(n_entities, n_papers, seed=seed), min_cooccur=min_cooccur)
