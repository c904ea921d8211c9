"""The floor for a Typer CLI: a bare Typer app whose one command prints a line.

A group with a callback, like hazreg's app, so `python benchmarks/bare_typer.py hello`
parses a subcommand the same way `hazreg list` does. It imports nothing but Typer.
"""

import typer

app = typer.Typer(add_completion=False)


@app.callback()
def main() -> None:
    """A bare Typer app."""


@app.command()
def hello() -> None:
    """Print one line."""
    typer.echo("hello")


if __name__ == "__main__":
    app()
