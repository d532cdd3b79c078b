"""The entry point: the Typer CLI and the wiring of real ports into the core (the composition root)."""
