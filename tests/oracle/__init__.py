"""Independent plain-Python oracles of clause kinds, compared with the engine in tests."""
