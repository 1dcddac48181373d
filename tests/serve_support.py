"""Models and servers for the ``glyce-allennlp serve`` tests (tests/test_serve*.py); not a test module.

* :func:`trained_ner` / :func:`trained_ud_pos`: small Glyce NER and UD POS taggers, trained once per test session
  (:func:`training_support.train_once`) from the real configs with :func:`reliability_support.small_overrides` (the
  other models come from :mod:`reliability_support`: :func:`~reliability_support.trained_tagger` (CWS),
  ``trained_small_model``);
* :func:`running_server`: the real command (``python -m glyce_allennlp.cli serve ...``) in a subprocess on a free
  port of 127.0.0.1, yielding its URL once ``/health`` answers, stopped afterwards.
"""
import contextlib
import sys
from pathlib import Path
from typing import Iterator, List, Sequence

from reliability_support import small_overrides
from training_support import train_once

from glyce_allennlp.serve.loadtest import free_port, start_server, stop_server, wait_for_server

PAGE_FONTS = ("song", "traditional", "kai", "cursive")  # four scripts for the page's glyph panel


def trained_ner() -> Path:
    """A small Glyce NER tagger (BIOUL) on fixtures/ner, trained long enough to find entities in its own
    training sentences."""
    return train_once("ner/glyce_bilstm_crf.jsonnet", ("ner/train.bmes", "ner/dev.bmes"),
                      small_overrides(6, PAGE_FONTS))


def trained_ud_pos() -> Path:
    """A small Glyce UD POS tagger (typed BMES) on fixtures/ud."""
    return train_once("pos/ud_glyce_bilstm_crf.jsonnet", ("ud/train.conllu", "ud/dev.conllu"),
                      small_overrides(2, PAGE_FONTS))


@contextlib.contextmanager
def running_server(specs: Sequence[str], extra: Sequence[str] = ()) -> Iterator[str]:
    """``glyce-allennlp serve SPEC ...`` on a free port of 127.0.0.1; yields ``http://127.0.0.1:PORT``."""
    port = free_port()
    command: List[str] = [sys.executable, "-m", "glyce_allennlp.cli", "serve", *specs,
                          "--port", str(port), "--log-level", "warning", *extra]
    process = start_server(command)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(url, process)
        yield url
    finally:
        stop_server(process)


@contextlib.contextmanager
def server_in_thread(app) -> Iterator[str]:
    """``app`` on a real uvicorn server in a thread of this process, on a free port of 127.0.0.1 (bound before the
    server starts: no race for the port); yields its URL."""
    import socket
    import threading
    import time

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the in-thread server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
