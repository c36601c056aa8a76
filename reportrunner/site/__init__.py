"""The site stage: report outcomes → view models → pages, CSV, data.json and history.

The site is built in a folder beside `--out` through one writer and swapped in; earlier sites
and history files are untrusted input, checked on the way in.
"""
