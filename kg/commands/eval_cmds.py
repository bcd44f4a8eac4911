"""``kg eval``: precision, recall and F1 of kg's entities against an annotated corpus.

spaCy is imported only when the command runs (through ``kg.extract.evaluate``'s
default predictor), so other commands start fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli import echo_json, main
from kg.extract.evaluate import LABELS, SCHEMES, detect_scheme, evaluate, read_gold

_TITLES = {"exact": "Exact span", "overlap": "Overlapping span (one-to-one, same label)"}
_SCHEME_NAMES = {"scierc": "SciERC", "tdmsci": "TDMSci"}


def format_tables(result: dict) -> str:
    """The exact and overlap figures as two aligned tables."""
    headers = ["label", "gold", "predicted", "correct", "precision", "recall", "F1"]
    blocks = []
    for matching in ("exact", "overlap"):
        rows = []
        for label, fig in result[matching].items():
            rows.append([label, f"{fig['gold']:,}", f"{fig['predicted']:,}", f"{fig['correct']:,}",
                         f"{fig['precision']:.3f}", f"{fig['recall']:.3f}", f"{fig['f1']:.3f}"])
        cells = [headers] + rows
        widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
        lines = [f"{_TITLES[matching]} — {_SCHEME_NAMES[result['scheme']]} labels, {result['texts']:,} texts"]
        for n, row in enumerate(cells):
            if n == len(cells) - 1:
                lines.append("  ".join("-" * w for w in widths))
            lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
                         .rstrip())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


@main.command("eval")
@click.argument("gold", type=click.Path(path_type=Path))
@click.option("--scheme", type=click.Choice(SCHEMES), default=None,
              help="Label set of GOLD: scierc (Method, Material, Task, Metric) or tdmsci (TASK, DATASET, "
                   "METRIC). Default: recognised from GOLD's labels.")
@click.option("--split-definitions", is_flag=True,
              help="Score an acronym definition \"long form (LF)\" as kg's two mentions, not as the one span "
                   "the corpora annotate.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def eval_cmd(gold: Path, scheme: str | None, split_definitions: bool, as_json: bool) -> None:
    """Score kg's entities against GOLD, a JSON Lines file of annotated texts.

    Each line is {"id", "text", "entities": [{"start", "end", "label"}]}; each
    text is extracted as an abstract. Prints precision, recall and F1 per label
    and overall (micro), for exact spans and for overlapping spans.
    """
    if scheme is None:
        labels = {label for doc in read_gold(gold) for _s, _e, label in doc.spans}
        scheme = detect_scheme(labels)
        if scheme is None:
            raise click.UsageError(f"cannot tell the scheme from GOLD's labels ({', '.join(sorted(labels)) or 'none'})"
                                   f"; give --scheme ({' or '.join(SCHEMES)}: "
                                   + "; ".join(f"{s}: {', '.join(LABELS[s])}" for s in SCHEMES) + ")")
    result = evaluate(gold, scheme=scheme, join=not split_definitions)
    if as_json:
        echo_json(result)
    else:
        click.echo(format_tables(result))
