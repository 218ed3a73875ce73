"""The rulebook: what authors write, loaded strictly, checked and given meaning.

The strict YAML loader with positions (`yaml_source`), pydantic errors turned into messages for
authors (`validation_errors`), the agreement model (`agreement`) and its term (`term`), the
fact-type catalogue, checks on meaning beyond the schema (`semantic_checks`), loading a rules
folder (`loading`), the registry of finding codes and the waivers file.

May import: common, dates, facts, findings, engine, clauses.
"""
