"""A curation file: the user's corrections, applied after extraction.

YAML or TOML (by the file's extension), three optional sections::

    aliases:                      # entity name → more names for it; an entity
      Low-Rank Adaptation: [LoRA adapters]   # so named is merged into it
    block: [real-world application, efficiency]   # never an entity
    types:
      BurstGPT: Dataset           # the type this entity should have

Names match an entity's name or any of its aliases, case-insensitively.  Each
change is reported, so the build says what the file did.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kg.errors import InputError
from kg.records import ENTITY_TYPES, Entity, ExtractedPaper


@dataclass
class Curation:
    aliases: dict[str, list[str]] = field(default_factory=dict)
    block: list[str] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)


def load_curation(path: str | Path) -> Curation:
    """Read and check a curation file; a bad one raises ``InputError`` naming what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from None
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise InputError(str(path), f"not a valid curation file: {str(exc).splitlines()[0]}") from None
    data = data or {}
    if not isinstance(data, dict) or set(data) - {"aliases", "block", "types"}:
        raise InputError(str(path), "a curation file has only the sections aliases, block and types")
    aliases = data.get("aliases") or {}
    block = data.get("block") or []
    types = data.get("types") or {}
    if not isinstance(aliases, dict) or not all(isinstance(v, list) for v in aliases.values()):
        raise InputError(str(path), "aliases: give each name a list of aliases")
    if not isinstance(block, list):
        raise InputError(str(path), "block: give a list of names")
    for name, type_ in (types.items() if isinstance(types, dict) else [("types", None)]):
        if type_ not in ENTITY_TYPES:
            raise InputError(str(path), f"types: {name!r} has type {type_!r}; valid types: {', '.join(ENTITY_TYPES)}")
    return Curation(aliases={str(k): [str(a) for a in v] for k, v in aliases.items()},
                    block=[str(b) for b in block], types={str(k): str(v) for k, v in types.items()})


def _names(entity: Entity) -> set[str]:
    return {entity.name.casefold(), *(a.casefold() for a in entity.aliases)}


def apply_curation(extracted: list[ExtractedPaper], curation: Curation) -> tuple[list[ExtractedPaper], dict]:
    """Block, merge and retype entities as the file says; returns the papers and the changes made.

    >>> from kg.records import Mention, Paper
    >>> lora = Entity("method:lora", "LoRA", "Method", mentions=[Mention("title", 0, 4, "LoRA")])
    >>> noise = Entity("task:real-world-application", "real-world application", "Task")
    >>> papers, changes = apply_curation([ExtractedPaper(Paper("p", "LoRA"), [lora, noise])],
    ...                                  Curation(block=["Real-world application"], types={"lora": "Model"}))
    >>> [e.id for e in papers[0].entities], changes["blocked"], changes["retyped"]
    (['model:lora'], ['real-world application'], ['LoRA: Method → Model'])
    """
    blocked = {b.casefold() for b in curation.block}
    targets = {name.casefold(): name for name in curation.aliases}
    merge_into = {a.casefold(): name for name, extra in curation.aliases.items() for a in extra}
    retype = {k.casefold(): v for k, v in curation.types.items()}
    changes: dict[str, list[str]] = {"blocked": [], "merged": [], "retyped": [], "aliases_added": []}
    # One canonical entity per id across papers, so every paper gets the same result.
    canonical: dict[str, Entity] = {}
    for item in extracted:
        for entity in item.entities:
            canonical.setdefault(entity.id, entity)
    target_ids: dict[str, Entity] = {}
    for entity in canonical.values():
        for name in _names(entity) & set(targets):
            target_ids.setdefault(targets[name].casefold(), entity)
    decided: dict[str, Entity | None] = {}
    for entity_id, entity in sorted(canonical.items()):
        names = _names(entity)
        if names & blocked:
            decided[entity_id] = None
            changes["blocked"].append(entity.name)
            continue
        hit = next((merge_into[n] for n in sorted(names) if n in merge_into), None)
        target = target_ids.get(hit.casefold()) if hit else None
        if target is not None and target.id != entity_id:
            decided[entity_id] = target
            changes["merged"].append(f"{entity.name} → {target.name}")
            continue
        decided[entity_id] = entity
    types = _retype_and_join(canonical, decided, retype, changes)
    # Aliases and types of the entities that stay.
    final: dict[str, Entity] = {}
    for entity_id, entity in sorted(canonical.items()):
        if decided[entity_id] is not entity:
            continue
        aliases = dict(entity.alias_reasons) or {a: "variant" for a in entity.aliases}
        matched = sorted(_names(entity) & set(targets))
        for extra in [a for name in matched for a in curation.aliases[targets[name]]]:
            if extra.casefold() not in _names(entity):
                aliases[extra] = "curation"
                changes["aliases_added"].append(f"{entity.name}: {extra}")
        for merged_id, into in decided.items():
            if into is entity and merged_id != entity_id:
                other = canonical[merged_id]
                for name in [other.name, *other.aliases]:
                    if name.casefold() not in {entity.name.casefold(), *(a.casefold() for a in aliases)}:
                        aliases[name] = "curation"
        type_ = types[entity_id]
        new_id = _typed_id(entity, type_)
        if type_ != entity.type:
            changes["retyped"].append(f"{entity.name}: {entity.type} → {type_}")
        final[entity_id] = Entity(new_id, entity.name, type_, sorted(aliases), [], dict(sorted(aliases.items())))
    out = []
    for item in extracted:
        by_id: dict[str, Entity] = {}
        for entity in item.entities:
            into = decided[entity.id]
            if into is None:
                continue
            kept = final[into.id]
            copy = by_id.setdefault(kept.id, Entity(kept.id, kept.name, kept.type, list(kept.aliases), [],
                                                    dict(kept.alias_reasons)))
            for mention in entity.mentions:
                if mention not in copy.mentions:
                    copy.mentions.append(mention)
        for entity in by_id.values():
            entity.mentions.sort(key=lambda m: (m.field != "title", m.start, m.end))
        out.append(ExtractedPaper(item.paper, sorted(by_id.values(), key=lambda e: e.id)))
    return out, changes


def _typed_id(entity: Entity, type_: str) -> str:
    """The entity's id once given ``type_``: its own id when the type does not change."""
    return entity.id if type_ == entity.type else f"{type_.lower()}:{entity.id.split(':', 1)[1]}"


def _retype_and_join(canonical: dict[str, Entity], decided: dict[str, Entity | None], retype: dict[str, str],
                     changes: dict[str, list[str]]) -> dict[str, str]:
    """The type of each entity that stays; one retyped onto another's id joins that entity, and says so.

    "LoRA" retyped from Method to Model becomes ``model:lora``; when the corpus
    already has a ``model:lora``, the two are one entity, never two with one id.
    """
    types: dict[str, str] = {}
    by_new_id: dict[str, list[str]] = {}
    for entity_id, entity in sorted(canonical.items()):
        if decided[entity_id] is entity:
            types[entity_id] = next((retype[n] for n in sorted(_names(entity)) if n in retype), entity.type)
            by_new_id.setdefault(_typed_id(entity, types[entity_id]), []).append(entity_id)
    moved: dict[str, Entity] = {}
    for new_id, group in by_new_id.items():
        keeper = new_id if new_id in group else group[0]
        for entity_id in group:
            if entity_id != keeper:
                moved[entity_id] = canonical[keeper]
                changes["merged"].append(f"{canonical[entity_id].name} ({canonical[entity_id].type}) → "
                                         f"{canonical[keeper].name} ({types[keeper]}): the same id once retyped")
    for entity_id, into in decided.items():
        if into is not None and into.id in moved:
            decided[entity_id] = moved[into.id]
    return types
