"""Manifests of trained inputs (vectors, lexicons) and the check that no forbidden text went into them (no AllenNLP).

A manifest is a JSON object whose ``"inputs"`` list describes every file the artefact was computed from, each with
``"path"`` (absolute), ``"bytes"``, ``"sha256"`` of the file's bytes and, for a gzip file, ``"sha256_uncompressed"``.
``glyce-allennlp embeddings`` writes one beside its vectors, ``glyce-allennlp lexicon`` one beside its word counts.

:func:`forbidden_inputs` answers "did any of these files (a benchmark's dev and test files) go into it?". A file counts
as having gone in when its real path is an input's path, or its content is byte-identical to an input's (sha256 of the
bytes, and of the decompressed bytes for gzip files on either side): a renamed, copied or gzipped copy of a test file
is caught; a converted one (e.g. tags stripped, re-encoded) is not.
"""
import json
import os
from typing import Dict, Iterable, List, Union

from glyce_allennlp.vectors.text import file_sha256

__all__ = ["describe_input", "read_manifest", "write_manifest", "forbidden_inputs"]


def describe_input(path, **extra) -> Dict:
    """The manifest record of the input file ``path`` (see the module docstring), plus ``extra`` keys."""
    record = {"path": os.path.realpath(path), "bytes": os.path.getsize(path), "sha256": file_sha256(path)}
    if str(path).endswith(".gz"):
        record["sha256_uncompressed"] = file_sha256(path, uncompressed=True)
    record.update(extra)
    return record


def write_manifest(manifest: Dict, path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=2)
        handle.write("\n")


def read_manifest(path) -> Dict:
    """The manifest at ``path``; ``ValueError`` naming the file when it is not a JSON object with an ``"inputs"``
    list."""
    with open(path, encoding="utf-8") as handle:
        try:
            manifest = json.load(handle)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: not a JSON manifest: {error}") from error
    if not isinstance(manifest, dict) or not isinstance(manifest.get("inputs"), list):
        raise ValueError(f"{path}: not a manifest (a JSON object with an \"inputs\" list)")
    return manifest


def _digests(record: Dict) -> set:
    return {record[key] for key in ("sha256", "sha256_uncompressed") if record.get(key)}


def forbidden_inputs(manifest: Union[Dict, str, os.PathLike], forbidden_files: Iterable) -> List[str]:
    """The files of ``forbidden_files`` that went into the artefact of ``manifest`` (a manifest dict or its path), in
    the order given; ``[]`` when none did. A forbidden file that does not exist raises ``FileNotFoundError`` (a check
    against a missing file would pass silently)."""
    if not isinstance(manifest, dict):
        manifest = read_manifest(manifest)
    input_paths = {record.get("path") for record in manifest["inputs"]}
    input_digests = set().union(*(_digests(record) for record in manifest["inputs"]))
    found = []
    for path in forbidden_files:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"forbidden file {path} does not exist")
        if os.path.realpath(path) in input_paths or _digests(describe_input(path)) & input_digests:
            found.append(str(path))
    return found
