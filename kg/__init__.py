"""kg: a knowledge graph of methods, datasets, models, tasks and metrics from papers."""

__version__ = "0.1.0"
