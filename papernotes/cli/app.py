"""The `papernotes` command. Each command lives in its own module; heavy imports (torch,
mlflow) happen inside the commands that need them, so `papernotes --help` stays fast."""

from __future__ import annotations

import typer

from papernotes.cli import (
    demo,
    doctor,
    export,
    idea,
    import_,
    init,
    listing,
    new,
    repro,
    runs,
    show,
    ui,
    validate,
)

app = typer.Typer(
    name="papernotes",
    help="Paper notes in an Obsidian vault, and real reproductions of the papers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command("init")(init.command)
app.command("new")(new.command)
app.command("validate")(validate.command)
app.command("list")(listing.command)
app.command("show")(show.command)
app.add_typer(idea.app, name="idea")
app.command("export")(export.command)
app.command("doctor")(doctor.command)
app.command("import")(import_.command)
app.command("repro")(repro.command)
app.command("demo")(demo.command)
app.command("runs")(runs.command)
app.command("ui")(ui.command)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
