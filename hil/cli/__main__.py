"""``python -m hil.cli``: the ``scs`` command."""

import sys

from hil.cli.main import main

sys.exit(main())
