"""Quire's front ends on top of the Qt-free `archive`: app.cli (the command line,
no Qt), app.gui (the PySide6 window) and app.launcher (the `quire` entry point,
which picks one of them)."""

#: the same marker in app, archive and resources: app.launcher checks that all
#: three top-level packages are Quire's own, from one installation
QUIRE_PACKAGE = "quire"

