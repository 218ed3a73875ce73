"""contract-checker: partnership agreements as YAML rules, checked against activity facts."""

__version__ = "0.1.0"
