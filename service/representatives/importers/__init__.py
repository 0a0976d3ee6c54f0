"""Importers that read official source formats and produce normalised records."""
