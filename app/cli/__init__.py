"""Quire's command line: one module per command group, listed in app/cli/main.py.
Imports no Qt, so every command starts without loading PySide6."""
