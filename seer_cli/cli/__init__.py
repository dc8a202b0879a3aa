"""The ``seer`` command: a root Typer app that joins one module per command group.

Every ``SeerError`` raised below becomes one line on stderr and a non-zero exit; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from .. import __version__
from ..errors import SeerError
from .console import err


class _SeerGroup(TyperGroup):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SeerError as e:
            err.print(f"Error: {e}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(e.exit_code) from None


app = typer.Typer(
    cls=_SeerGroup,
    no_args_is_help=True,
    add_completion=False,
    help="seer: a small local LLM that gets better at multi-step tool use by remembering what worked.",
)


def _version(value: bool):
    if value:
        print(f"seer {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = None,
):
    """Stepwise Experience Recall for local tool-using LLMs."""


from . import doctor, evals, ingest, pool, practice, run, tools  # noqa: E402  (commands register on `app`)

app.command("run")(run.run)
app.command("doctor")(doctor.doctor)
app.command("ingest")(ingest.ingest)
app.command("practice")(practice.practice)
app.add_typer(pool.app, name="pool")
app.add_typer(evals.app, name="eval")
app.add_typer(tools.app, name="tools")


def main() -> None:
    app()
