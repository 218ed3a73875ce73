"""The rulebook: what authors write, loaded strictly, checked and given meaning.

The strict YAML loader with positions (`yaml_source`), pydantic errors turned into messages for
authors (`validation_errors`, with what the models allow where from `model_introspection`), the
agreement model (`agreement`) and its term (`term`), the fact-type catalogue, checks on meaning
beyond the schema (the `semantic` package), loading a rules folder (`loading`), the registry of finding
codes and the waivers file.

May import: common, dates, facts, findings, engine, norms, clauses.
"""
