"""`python -m app`: the same as `quire`."""
import sys

from app.launcher import main

sys.exit(main())
