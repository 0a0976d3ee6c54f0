"""repmail: write to your own MP or député about a campaign."""

__version__ = "0.1.0"
