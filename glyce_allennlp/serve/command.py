"""``glyce-allennlp serve``: load trained archives and serve them over HTTP (see :mod:`glyce_allennlp.serve`).

Importing this module is cheap (argparse only): AllenNLP, FastAPI and uvicorn are imported when the command runs.
"""
import argparse
import os
import re
import sys
from typing import List, Optional, Tuple

from .limits import Limits

NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DESCRIPTION = ("Load trained archives and serve them on http://HOST:PORT/: the JSON API (POST /predict/<model>, "
               "POST /pipeline, GET /models, GET /glyphs, GET /neighbors, GET /health) and a web page (GET /).")


def add_serve_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    defaults = Limits()
    parser.add_argument("archives", nargs="+", metavar="ARCHIVE",
                        help="model.tar.gz (or its serialization folder); NAME=ARCHIVE names the model in the URLs "
                             "(default: its task: cws, pos, ner, classifier, pair, parser, srl; a second model of "
                             "a task gets '-2')")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}: this machine only). --host 0.0.0.0 "
                             "makes the models and the page reachable from other machines: there is no "
                             "authentication")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    parser.add_argument("--cuda-device", type=int, default=-1, help="GPU to load the models on (default: CPU)")
    parser.add_argument("--max-chars", type=int, default=defaults.max_chars,
                        help=f"characters of one text (default {defaults.max_chars}; more: 413)")
    parser.add_argument("--max-lines", type=int, default=defaults.max_lines,
                        help=f"inputs of one request (default {defaults.max_lines}; more: 413)")
    parser.add_argument("--max-body-bytes", type=int, default=defaults.max_body_bytes,
                        help=f"size of one request body (default {defaults.max_body_bytes}; more: 413)")
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    return parser


def add_serve_parser(subparsers) -> argparse.ArgumentParser:
    """The ``serve`` subcommand of ``glyce-allennlp``."""
    parser = subparsers.add_parser("serve", help="HTTP JSON API and a web page for trained archives",
                                   description=DESCRIPTION)
    return add_serve_arguments(parser)


def split_spec(spec: str) -> Tuple[Optional[str], str]:
    """``NAME=ARCHIVE`` → ``(NAME, ARCHIVE)``; a plain archive path (even one with ``=`` in it) → ``(None, path)``."""
    name, sep, path = spec.partition("=")
    if sep and NAME.match(name) and not os.path.exists(spec):
        return name, path
    return None, spec


def model_names(specs: List[str], tasks: List[str]) -> List[str]:
    """The name of each model: its ``NAME=`` if given, else its task (``tasks``, in the same order), with ``-2``,
    ``-3`` … for repeats."""
    taken: List[str] = []
    for spec, task in zip(specs, tasks):
        name = split_spec(spec)[0]
        if name is None:
            name, n = task, 2
            while name in taken:
                name, n = f"{task}-{n}", n + 1
        if name in taken:
            raise ValueError(f"two models are named {name!r}")
        taken.append(name)
    return taken


def load_models(specs: List[str], cuda_device: int = -1):
    """The :class:`~glyce_allennlp.serve.models.ServedModel` of every ``ARCHIVE`` / ``NAME=ARCHIVE``, in order."""
    from .models import load_served_model

    loaded = [load_served_model(split_spec(spec)[1], cuda_device=cuda_device) for spec in specs]
    for model, name in zip(loaded, model_names(specs, [m.task for m in loaded])):
        model.name = name
    return loaded


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    from .models import ServeError

    limits = Limits(max_body_bytes=args.max_body_bytes, max_chars=args.max_chars, max_lines=args.max_lines)
    try:
        models = load_models(args.archives, args.cuda_device)
    except (ServeError, ValueError) as error:
        print(f"glyce-allennlp serve: {error}", file=sys.stderr)
        return 2
    for model in models:
        print(f"  {model.name}: {model.task} ({model.archive})")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"glyce-allennlp serve: listening on {args.host}: other machines can reach these models and the page "
              f"(no authentication)", file=sys.stderr)
    print(f"glyce-allennlp serve: http://{args.host}:{args.port}/", flush=True)
    uvicorn.run(create_app(models, limits), host=args.host, port=args.port, log_level=args.log_level)
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = add_serve_arguments(argparse.ArgumentParser(prog="python -m glyce_allennlp.serve", description=DESCRIPTION))
    return run_serve(parser.parse_args(argv))
