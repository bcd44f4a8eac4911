"""Queries on the built graph, for the ``kg`` query commands and for library use.

Every function takes the graph first (as ``kg.graph.io.load_graph`` returns
it), checks its arguments and the entity up front, and returns plain data
(dicts and lists, ready for ``json.dumps``).  An entity is given by id, name
or alias (``kg.query.resolve.resolve_entity``).  Co-occurrence is always
computed from the paper–entity incidence, not from the thresholded
``cooccurs`` edges stored in the graph.

>>> from kg.records import Entity, ExtractedPaper, Paper
>>> from kg.graph.build import build_graph
>>> def paper(pid, *names):
...     return ExtractedPaper(Paper(pid, pid), [Entity(f"method:{n.lower()}", n, "Method") for n in names])
>>> g = build_graph([paper("p1", "LoRA", "QLoRA"), paper("p2", "LoRA", "Adapter")], min_cooccur=2)
>>> [r["name"] for r in cooccurring(g, "lora", measure="count")["results"]]
['Adapter', 'QLoRA']
>>> top_entities(g, top=1)["results"][0]["name"]
'LoRA'
"""

from __future__ import annotations

from kg.query.cooccur import MEASURES, cooccurrence_network, cooccurring
from kg.query.neighbours import neighbourhood, trends
from kg.query.rank import RANKINGS, communities, top_entities
from kg.query.resolve import closest_entities, resolve_entity

__all__ = ["resolve_entity", "closest_entities", "cooccurring", "cooccurrence_network", "neighbourhood",
           "top_entities", "communities", "trends", "MEASURES", "RANKINGS"]
