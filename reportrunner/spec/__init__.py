"""The spec stage: files → YAML with positions → defaults and matrix → schema and semantic checks.

Everything here reads the user's spec files and says, with file and line, what is wrong; nothing
here fetches reports or writes pages (`validate --online` asks the account through the fetch
stage's client).
"""
