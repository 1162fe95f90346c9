"""A grid DSL for a CPU-only program policy."""
