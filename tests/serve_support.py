"""Models and servers for the ``glyce-allennlp serve`` tests (tests/test_serve*.py); not a test module.

* :func:`trained_ner` / :func:`trained_ud_pos`: small Glyce NER and UD POS taggers, trained in-process once per test
  session from the real configs with :func:`reliability_support.small_overrides` (the other models come from
  :mod:`reliability_support`: :func:`~reliability_support.trained_tagger` (CWS), ``trained_small_model``);
* :func:`running_server`: the real command (``python -m glyce_allennlp.cli serve ...``) in a subprocess on a free
  port of 127.0.0.1, yielding its URL once ``/health`` answers, stopped afterwards.
"""
import contextlib
import functools
import json
import sys
from pathlib import Path
from typing import Iterator, List, Sequence

from reliability_support import FIXTURES, REPO, _session_dir, environment, small_overrides, torch_threads

from glyce_allennlp.serve.loadtest import free_port, start_server, stop_server, wait_for_server

NER_CONFIG = REPO / "training_configs" / "ner" / "glyce_bilstm_crf.jsonnet"
UD_POS_CONFIG = REPO / "training_configs" / "pos" / "ud_glyce_bilstm_crf.jsonnet"
PAGE_FONTS = ("song", "traditional", "kai", "cursive")  # four scripts for the page's glyph panel


def _train(config: Path, name: str, train: str, validation: str, epochs: int) -> Path:
    import glyce_allennlp
    from allennlp.commands.train import train_model_from_file

    glyce_allennlp.load_components()
    folder = _session_dir() / name
    data = {"TRAIN_DATA_PATH": str(FIXTURES / train), "VALIDATION_DATA_PATH": str(FIXTURES / validation),
            "TEST_DATA_PATH": ""}
    with environment(data), torch_threads(1):
        train_model_from_file(str(config), str(folder), overrides=json.dumps(small_overrides(epochs, PAGE_FONTS)))
    return folder


@functools.lru_cache(maxsize=None)
def trained_ner() -> Path:
    """A small Glyce NER tagger (BIOUL) on fixtures/ner, trained long enough to find entities in its own
    training sentences."""
    return _train(NER_CONFIG, "serve_ner", "ner/train.bmes", "ner/dev.bmes", epochs=6)


@functools.lru_cache(maxsize=None)
def trained_ud_pos() -> Path:
    """A small Glyce UD POS tagger (typed BMES) on fixtures/ud."""
    return _train(UD_POS_CONFIG, "serve_ud_pos", "ud/train.conllu", "ud/dev.conllu", epochs=2)


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
