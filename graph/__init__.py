"""orgnet's graph layer: the model, its generated schema, the stores and the analysis on top."""
