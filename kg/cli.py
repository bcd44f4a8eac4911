"""The ``kg`` command line: each command parses its options, calls one library
function and prints.  Library errors (``KgError``) become one ``Error: …`` line
and exit code 1; usage errors exit 2; a traceback only with ``--debug``.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

import click

from kg import __version__
from kg.errors import KgError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class KgGroup(click.Group):
    """Turns library errors and Ctrl-C into one line instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted; outputs left as they were.", err=True)
            _exit_now(130)
        except BrokenPipeError:
            # `kg ingest … | head`: the reader went away; not an error of ours.
            sys.stderr.close()
            ctx.exit(0)


def _exit_now(code: int) -> None:
    """Leave at once: worker processes are stopped, and multiprocessing's exit hooks
    (which can wait forever on a queue whose reader is gone) are skipped."""
    import multiprocessing
    import os

    for child in multiprocessing.active_children():
        child.terminate()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@click.group(cls=KgGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="kg")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Build a knowledge graph of methods, datasets, models, tasks and metrics
    from paper titles and abstracts, and query it."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def graph_option(func):
    """``--graph DIR``: the folder ``kg build`` wrote (default ``output/``)."""
    return click.option("--graph", "graph_dir", type=click.Path(path_type=Path), default=Path("output"),
                        show_default=True, help="Folder written by 'kg build'.")(func)


def echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _register_commands() -> None:
    # Commands live in kg/commands/*.py, one module per family, each adding
    # itself to ``main``; importing them here keeps this module small.
    from kg.commands import build_cmds  # noqa: F401
    from kg.commands import eval_cmds  # noqa: F401
    from kg.commands import query_cmds  # noqa: F401
    from kg.commands import sparql_cmds  # noqa: F401


_register_commands()


def run() -> None:  # console-script entry point
    try:
        main(prog_name="kg")
    finally:
        # The process ends here: what it built is left to the OS, not walked by the cycle collector
        # first (a networkx graph is a reference cycle; at 10,000 papers that walk took 1.0 s).
        gc.freeze()


__all__ = ["main", "graph_option", "echo_json", "run"]
