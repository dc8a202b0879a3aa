"""Placeholder until its issue lands (being written now)."""
import typer
app = typer.Typer(no_args_is_help=True)
@app.command("todo")
def _todo():
    """Not yet available."""
