"""One module per ``ddj`` subcommand (see :mod:`ddj.cli`). Keep heavy imports inside ``run``."""
