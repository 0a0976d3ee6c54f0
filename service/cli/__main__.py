"""`python -m service.cli`: the same commands as the `repmail` script."""

from service.cli import app

app()
