"""One paper met twice is one paper: merge records sharing a DOI, arXiv id or title.

The record kept is the one with the longest abstract (the first one on a tie);
the others only fill in what it lacks, and every identifier is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, replace

from kg.records import Merge, Paper, normalise_title

_LIST_FIELDS = {"authors", "keywords", "merged_ids"}
_NOT_MERGED = {"id", "title", "abstract", "source", "merged_ids"}


def _keys(paper: Paper) -> list[tuple[str, str]]:
    keys = [("id", paper.id)]
    if paper.doi:
        keys.append(("DOI", paper.doi))
    if paper.arxiv_id:
        keys.append(("arXiv id", paper.arxiv_id))
    title = normalise_title(paper.title)
    if title:
        keys.append(("title", title))
    return keys


def _reason(kept: Paper, dropped: Paper) -> str:
    shared = dict(_keys(kept)).items() & dict(_keys(dropped)).items()
    if shared:
        kind = sorted(shared)[0][0]
        return f"same {kind}"
    return "same paper through another record"


def _merge_into(kept: Paper, other: Paper) -> Paper:
    updates = {}
    for f in fields(Paper):
        if f.name in _NOT_MERGED:
            continue
        if getattr(kept, f.name) in (None, "", []) and getattr(other, f.name) not in (None, "", []):
            updates[f.name] = getattr(other, f.name)
    merged_ids = list(kept.merged_ids)
    for pid in [other.id, *other.merged_ids]:
        if pid != kept.id and pid not in merged_ids:
            merged_ids.append(pid)
    # A second DOI or arXiv id (preprint and article) stays as a merged id.
    for prefix, value, own in (("doi:", other.doi, kept.doi), ("arxiv:", other.arxiv_id, kept.arxiv_id)):
        ident = f"{prefix}{value}" if value else None
        if ident and own and value != own and ident not in merged_ids and ident != kept.id:
            merged_ids.append(ident)
    updates["merged_ids"] = merged_ids
    return replace(kept, **updates)


def deduplicate(papers: Iterable[Paper]) -> tuple[list[Paper], list[Merge]]:
    """Group records that share a key (transitively), keep one ``Paper`` per group.

    >>> a = Paper(id="a", title="Attention Is All You Need", abstract="short")
    >>> b = Paper(id="b", title="Attention is all you need.", abstract="a longer one", doi="10.1/x")
    >>> kept, merges = deduplicate([a, b])
    >>> [(p.id, p.doi) for p in kept], [(m.kept, m.dropped) for m in merges]
    ([('b', '10.1/x')], [('b', 'a')])
    """
    groups: list[list[Paper] | None] = []
    owner: dict[tuple[str, str], int] = {}
    for paper in papers:
        keys = _keys(paper)
        hits = sorted({owner[k] for k in keys if k in owner})
        if not hits:
            index = len(groups)
            groups.append([paper])
        else:
            index = hits[0]
            group = groups[index]
            assert group is not None
            group.append(paper)
            for other in hits[1:]:  # this record joins two groups into one
                moved = groups[other]
                assert moved is not None
                group.extend(moved)
                groups[other] = None
                for p in moved:
                    for k in _keys(p):
                        owner[k] = index
        for k in keys:
            owner[k] = index

    kept_papers: list[Paper] = []
    merges: list[Merge] = []
    for group in groups:
        if not group:
            continue
        best = max(range(len(group)), key=lambda i: (len(group[i].abstract), -i))
        kept = group[best]
        for i, other in enumerate(group):
            if i == best:
                continue
            kept = _merge_into(kept, other)
            merges.append(Merge(kept=kept.id, dropped=other.id, reason=_reason(group[best], other),
                                dropped_source=other.source))
        kept_papers.append(kept)
    return kept_papers, merges
