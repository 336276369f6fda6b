"""`python main.py [COMMAND …]`: a shim for running from a checkout; the entry
point itself is app.launcher.main (the installed `quire` script calls it too)."""
import sys

from app.launcher import main

if __name__ == "__main__":
    sys.exit(main())
