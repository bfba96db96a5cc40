import sys

from muscles.cli import main

sys.exit(main())
