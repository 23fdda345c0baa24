"""Ledger loaders: read, validate and write the 台账 that streets and communities keep."""
