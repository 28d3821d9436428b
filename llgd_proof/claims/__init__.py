"""User-written claims: the condition language (:mod:`.conditions`), claim files and their checks
(:mod:`.claim`), and the built-in theorems written as claim files (``*.toml``).
"""
