"""File formats: strict parsers and pure algorithms, importable without AllenNLP (and without torch).

Every malformed input raises :class:`~glyce_allennlp.formats.io.ReaderError` ``"{path}:{lineno}: ..."``.

* :mod:`.io`: line reading (bytes split on ``\\n`` only, CRLF, UTF-8 BOM, strict decoding, legacy Chinese encodings);
* :mod:`.tag_schemes`: BIO / BIOES / BMES / BIOUL conversion, validation, repair and decoding;
* :mod:`.cws`: SIGHAN word segmentation lines → characters + BMES tags;
* :mod:`.char_ner`: CoNLL character NER → characters + tags (scheme detection, BIOUL conversion and repair);
* :mod:`.char_pos`: CTB ``word_TAG`` lines and CoNLL words → characters + typed BMES tags;
* :mod:`.conll`: CoNLL-U / CoNLL-X sentences (syntactic words, heads, relations);
* :mod:`.conll2009`: CoNLL-2009 semantic role labelling, reading and writing;
* :mod:`.sentences`, :mod:`.classification`, :mod:`.sentence_pair`: text classification and sentence-pair files;
* :mod:`.srl_pruning`: k-order argument pruning (He et al. 2018) and its coverage statistics;
* :mod:`.srl_scores`: CoNLL-2009 semantic precision / recall / F1 counts (``eval09.pl``'s);
* :mod:`.srl_report`: the ``glyce-allennlp srl-pruning`` report.

The AllenNLP dataset readers (:mod:`glyce_allennlp.dataset_readers`) parse with these modules and build instances.
"""
