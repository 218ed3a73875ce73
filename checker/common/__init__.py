"""Small helpers every stage may use (imports no other stage).

Did-you-mean suggestions, positioned diagnostics (problems in user input with file:line:col),
checks on text values, atomic text output and progress on stderr. Nothing here knows about
agreements, facts or findings.
"""
