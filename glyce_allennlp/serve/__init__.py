"""``glyce-allennlp serve``: trained archives behind an HTTP JSON API, with a page that shows the glyphs a model sees.

    glyce-allennlp serve pos=pos.tar.gz parser.tar.gz ner.tar.gz [--host 127.0.0.1] [--port 8000]

* :mod:`.command`: the command line (cheap to import: the heavy imports happen when it runs);
* :mod:`.models`: loading an archive with the predictor of its task (tagger, classifier, pair, parser, SRL);
* :mod:`.inputs`: what a request may contain, and the 4xx errors for everything else;
* :mod:`.batching`: one worker per model, joining concurrent requests, off the event loop;
* :mod:`.pipeline`: segment (+ POS) → parse, NER, classification in one call;
* :mod:`.app`: the FastAPI application (endpoints listed there) and ``static/``: the page (plain HTML, CSS and
  JavaScript, no build step, nothing fetched from elsewhere);
* :mod:`.loadtest`: a bounded load generator for a server on this machine (``python -m
  glyce_allennlp.serve.loadtest``).

The server listens on 127.0.0.1 unless ``--host`` says otherwise.
"""
