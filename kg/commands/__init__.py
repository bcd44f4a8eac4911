"""CLI commands, one module per family; each module adds its commands to ``kg.cli.main``."""
