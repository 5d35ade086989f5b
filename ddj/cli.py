"""The ``ddj`` command line: a thin layer that parses arguments, calls the library and turns
:class:`ddj.errors.DDJError` into one clear line and a non-zero exit.

Each subcommand is a module in :mod:`ddj.commands` with ``NAME``, ``HELP``, ``configure(parser)``
and ``run(args) -> int``. Command modules keep their imports inside ``run`` so that building the
parser imports no polars, altair or jupyter: ``ddj --help`` and a no-op ``ddj run`` stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and found problems (invalid data, failed reports)
EXIT_ERROR = 2  # the command could not run (bad arguments, unreadable input)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with one subparser per module in :mod:`ddj.commands`."""
    import ddj.commands

    parser = argparse.ArgumentParser(
        prog="ddj",
        description="Compare what officials said about military incidents with what everyone else reported.",
    )
    parser.add_argument("--version", action="version", version=f"ddj {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(ddj.commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"ddj.commands.{info.name}")
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.configure(command)
        command.set_defaults(_run=module.run)
    return parser


def _version() -> str:
    from ddj._version import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_ERROR
    from ddj.errors import DDJError
    from ddj.html import terminal_safe  # messages quote data (names, values): no escape sequence reaches the terminal

    try:
        return int(args._run(args) or 0)  # noqa: SLF001 - our own attribute, set by set_defaults(_run=...)
    except DDJError as err:
        print(f"ddj {args.command}: error: {terminal_safe(err)}", file=sys.stderr)
        return EXIT_ERROR
    except MemoryError:
        print(
            f"ddj {args.command}: error: out of memory. The data is too large for this computer's memory; "
            "see 'How large a dataset' in README.md, or run on a computer with more memory.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"ddj {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as err:  # a bug of ours: one line, with a way to see more
        if os.environ.get("DDJ_DEBUG"):
            raise
        print(
            f"ddj {args.command}: internal error: {type(err).__name__}: {terminal_safe(err)}. "
            "This is a bug in ddj; rerun with DDJ_DEBUG=1 to see the traceback and report it.",
            file=sys.stderr,
        )
        return EXIT_ERROR


def entry() -> None:  # pragma: no cover - thin wrapper
    """The console script and ``python -m ddj``: run :func:`main` and exit with its code.

    A second interrupt (Ctrl-C, or SIGTERM, which ``ddj run`` handles like it) that arrives while the first is
    being handled, or while the process winds down, must not kill the process by signal: the exit code stays 130
    and the message is printed once. So once :func:`main` has returned, SIGINT and SIGTERM are ignored, and an
    interrupt that :func:`main` handled is not taken for an unhandled one (see :func:`forget_handled_interrupt`).
    """
    import signal

    # ddj's own numpy use is counting and reducing, never linear algebra: OpenBLAS's idle worker threads only take
    # CPU from polars (about 0.2 CPU-seconds of a million-incident ``ddj compare --out``, December 2026). Before
    # numpy is imported; a setting of the user's own is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # polars' allocator (jemalloc) hands freed pages back to the system over ten seconds, and a command that
    # builds and frees gigabytes then pays again for fresh pages (the kernel zeroing them). Twenty seconds
    # keep them for the command's whole run: a million-incident ``ddj compare --out`` took about 0.5 s less
    # (0.4 of 1.3 million page faults), at a peak of 3.2 GB instead of 2.8 (December 2026). Before polars is
    # imported (jemalloc reads it once); a setting of the user's own is kept.
    os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:20000")
    try:
        code = main()
    except KeyboardInterrupt:  # raised while main was handling the first one
        print("ddj: interrupted", file=sys.stderr)
        code = 130
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    forget_handled_interrupt()
    sys.exit(code)


def forget_handled_interrupt() -> bool:
    """Tell CPython that no interrupt went unhandled; return whether it could be told.

    CPython ends a process with SIGINT (exit status -2, not ours) when it believes a ``KeyboardInterrupt`` went
    unhandled. It records that belief in a flag whenever the exception leaves an ``exec()`` of a string, even when
    code further out handles it: an interrupt (or a SIGTERM, which ``ddj run`` turns into one) that arrives while a
    library runs such code is caught by :func:`main`, which prints its message and returns 130, and yet the process
    died by SIGINT in about 1 of 15 killed runs (measured: the flag was set in exactly the runs that ended -2).
    Only :func:`entry` calls this, after :func:`main` has returned, so every interrupt has been handled by then.
    The flag is CPython's private ``_Py_UnhandledKeyboardInterrupt``; elsewhere this does nothing.
    """
    try:
        import ctypes

        flag = ctypes.c_int.in_dll(ctypes.pythonapi, "_Py_UnhandledKeyboardInterrupt")
    except (ImportError, ValueError, AttributeError, OSError):  # not CPython, or the flag has gone
        return False
    flag.value = 0
    return True
