"""From a name a person types to an entity id, and the checks every query shares.

A name resolves, case-insensitively, to the entity whose id, name or alias it
is, in that order of precedence: an exact id wins, then a name, then an alias.
"LLM" and "large language models" give the same entity when its alias list
holds both.  A name shared by several entities (the same name with two types)
is ambiguous; ``"LoRA (Method)"`` picks one by type, as does the id.  An
unknown or ambiguous name raises ``EntityNotFoundError`` listing the closest
entities as ``name (Type)``, found with rapidfuzz.

>>> import networkx as nx
>>> g = nx.Graph()
>>> g.add_node("model:large-language-model", kind="entity", name="large language model",
...            type="Model", aliases=["LLM", "large language models"])
>>> resolve_entity(g, "llm") == resolve_entity(g, "Large Language Models")
True
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

import networkx as nx

from kg.errors import EntityNotFoundError
from kg.records import ENTITY_TYPES

MAX_CANDIDATES = 5
MIN_SIMILARITY = 50  # rapidfuzz WRatio, 0–100: below it a name is not worth suggesting

_TYPE_SUFFIX = re.compile(r"^(?P<name>.*?\S)\s*\((?P<type>[A-Za-z]+)\)\s*$")
_SEPARATORS = re.compile(r"[\s_\-‐-―]+")


def _key(text: str) -> str:
    """Case-, width- and spacing-insensitive form of a name (hyphens count as spaces)."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return _SEPARATORS.sub(" ", text).strip()


def entity_nodes(graph: nx.Graph) -> list[str]:
    """The ids of the entity nodes, sorted."""
    return sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == "entity")


def check_type(type: str | None) -> str | None:
    """The canonical spelling of an entity type (``"dataset"`` → ``"Dataset"``); None stays None.

    >>> check_type("dataset")
    'Dataset'
    >>> check_type("Paper")
    Traceback (most recent call last):
    ...
    ValueError: unknown entity type 'Paper'; valid types: Method, Model, Dataset, Task, Metric
    """
    if type is None:
        return None
    for valid in ENTITY_TYPES:
        if str(type).casefold() == valid.casefold():
            return valid
    raise ValueError(f"unknown entity type {type!r}; valid types: {', '.join(ENTITY_TYPES)}")


def check_positive(name: str, value: int | None, *, allow_none: bool = False) -> None:
    """Refuse a count below 1 (``top``, ``hops``, ``min_papers``) with a message naming it."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")


def entity_summary(graph: nx.Graph, entity_id: str) -> dict:
    """``{"id", "name", "type"}`` of one entity node, as every query's JSON gives it."""
    data = graph.nodes[entity_id]
    return {"id": entity_id, "name": data.get("name", entity_id), "type": data.get("type")}


def entity_label(graph: nx.Graph, entity_id: str) -> str:
    """``name (Type)``, the form candidates are shown in (and ``resolve_entity`` accepts)."""
    data = graph.nodes[entity_id]
    return f"{data.get('name', entity_id)} ({data.get('type', '?')})"


def _index(graph: nx.Graph) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
    ids: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)
    aliases: dict[str, set[str]] = defaultdict(set)
    for node in entity_nodes(graph):
        data = graph.nodes[node]
        ids[_key(node)].add(node)
        names[_key(data.get("name", node))].add(node)
        for alias in data.get("aliases") or []:
            aliases[_key(alias)].add(node)
    return ids, names, aliases


def _lookup(graph: nx.Graph, index, key: str, type: str | None) -> set[str]:
    for position, table in enumerate(index):  # ids, then names, then aliases
        found = {n for n in table.get(key, ()) if type is None or graph.nodes[n].get("type") == type}
        if len(found) > 1 and position == len(index) - 1:
            found = _dominant(graph, found)
        if found:
            return found
    return set()


def _dominant(graph: nx.Graph, found: set[str]) -> set[str]:
    """An alias shared by several entities means the one holding two thirds of their papers.

    One paper that writes "low-rank adaption (LoRA)" should not make "LoRA" ambiguous
    when fifty others mean Low-Rank Adaptation.
    """
    papers = {n: graph.nodes[n].get("papers", 0) for n in found}
    best = max(sorted(papers), key=papers.get)
    return {best} if papers[best] * 3 >= 2 * sum(papers.values()) else found


def _labels(graph: nx.Graph, entity_ids) -> list[str]:
    """``name (Type)`` for each id, falling back to the id where two labels would be equal."""
    labels = {e: entity_label(graph, e) for e in entity_ids}
    counts = defaultdict(int)
    for label in labels.values():
        counts[label] += 1
    return [labels[e] if counts[labels[e]] == 1 else e for e in entity_ids]


def closest_entities(graph: nx.Graph, name: str, *, limit: int = MAX_CANDIDATES) -> list[str]:
    """Ids of the entities whose name or an alias is closest to ``name`` (rapidfuzz WRatio).

    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_node("method:lora", kind="entity", name="LoRA", type="Method", aliases=[])
    >>> g.add_node("dataset:glue", kind="entity", name="GLUE", type="Dataset", aliases=[])
    >>> closest_entities(g, "lroa")
    ['method:lora']
    """
    from rapidfuzz import fuzz, process, utils

    choices, owners = [], []
    for node in entity_nodes(graph):
        data = graph.nodes[node]
        for text in [data.get("name", node), *(data.get("aliases") or [])]:
            choices.append(str(text))
            owners.append(node)
    best: dict[str, float] = {}
    for _, similarity, index in process.extract(name, choices, scorer=fuzz.WRatio, processor=utils.default_process,
                                                limit=None, score_cutoff=MIN_SIMILARITY):
        owner = owners[index]
        best[owner] = max(best.get(owner, 0.0), similarity)
    ranked = sorted(best, key=lambda e: (-round(best[e], 6), entity_label(graph, e).casefold(), e))
    return ranked[:limit]


def resolve_entity(graph: nx.Graph, name: str) -> str:
    """The id of the one entity that ``name`` (an id, a name or an alias) designates.

    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_node("method:lora", kind="entity", name="LoRA", type="Method", aliases=["low-rank adaptation"])
    >>> g.add_node("model:lora", kind="entity", name="LoRA", type="Model", aliases=[])
    >>> resolve_entity(g, "Low-Rank Adaptation"), resolve_entity(g, "lora (model)")
    ('method:lora', 'model:lora')
    >>> resolve_entity(g, "LoRA")
    Traceback (most recent call last):
    ...
    kg.errors.EntityNotFoundError: 'LoRA' is ambiguous; closest: LoRA (Method), LoRA (Model)
    >>> resolve_entity(g, "QLoRA")
    Traceback (most recent call last):
    ...
    kg.errors.EntityNotFoundError: 'QLoRA' matches no entity; closest: LoRA (Method), LoRA (Model)
    """
    if name in graph and graph.nodes[name].get("kind") == "entity":
        return name
    index = _index(graph)
    found = _lookup(graph, index, _key(name), None)
    if not found:
        match = _TYPE_SUFFIX.match(str(name))
        if match:
            try:
                type = check_type(match["type"])
            except ValueError:
                type = None
            if type is not None:
                found = _lookup(graph, index, _key(match["name"]), type)
    if len(found) == 1:
        return next(iter(found))
    if found:
        ordered = sorted(found, key=lambda e: (entity_label(graph, e).casefold(), e))
        raise EntityNotFoundError(name, _labels(graph, ordered), ambiguous=True)
    raise EntityNotFoundError(name, _labels(graph, closest_entities(graph, name)))


__all__ = ["resolve_entity", "closest_entities", "check_type", "check_positive", "entity_summary",
           "entity_label", "entity_nodes"]
