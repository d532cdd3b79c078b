"""Question packs: the schema, the loader and the bundled MLOps pack."""
