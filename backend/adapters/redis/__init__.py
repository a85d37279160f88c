"""Redis adapters (live fan-out, rate limits) and their in-process equivalents."""
