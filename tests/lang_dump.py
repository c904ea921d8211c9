"""Run many hazreg command lines in one process, in one language, and print what each said.

    python tests/lang_dump.py zh < cases.json > results.json

The language is set before hazreg's commands are imported, as `hazreg.cli.main` does, so
help texts, Typer's and Click's own words and the error messages all read as a user of that
language sees them; one process for a hundred command lines keeps the scanning test quick.
"""

from __future__ import annotations

import json
import sys


def run(lang: str, cases: list[list[str]]) -> list[dict[str, object]]:
    from hazreg.i18n import set_lang

    set_lang(lang)
    import typer.main
    import typer.testing

    from hazreg.cli.app import make_app

    app = make_app()
    # Build Click's command tree once, not once a command line: the runner asks for it each time.
    built = typer.main.get_command(app)
    typer.testing._get_command = lambda _app: built  # type: ignore[attr-defined]
    runner = typer.testing.CliRunner()
    results = []
    for argv in cases:
        result = runner.invoke(app, ["--lang", lang, *argv], prog_name="hazreg")
        error = result.exception
        crashed = error is not None and not isinstance(error, SystemExit)
        results.append({"argv": argv, "code": result.exit_code, "output": result.output,
                        "exception": repr(error) if crashed else None})
    return results


if __name__ == "__main__":
    json.dump(run(sys.argv[1], json.load(sys.stdin)), sys.stdout, ensure_ascii=False)
