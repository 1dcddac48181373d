"""``python -m glyce_allennlp.serve ARCHIVE ...``: the same as ``glyce-allennlp serve ARCHIVE ...``."""
import sys

from .command import main

sys.exit(main())
