"""Archives: loading a model.tar.gz never needs ``weights_only=False``; a truncated or tampered archive
gives a clear ``ArchiveError``; archives are written atomically; glyph tables are not in the weights, the fonts'
sha256 are, and a different font at load time is refused.

To cover another model, add its archive to ``ARCHIVES`` (a function returning a serialization
folder): every damage case below runs on each.
"""
import io
import json
import os
import shutil
import tarfile
import tokenize
from pathlib import Path

import pytest
import torch

from reliability_support import trained_tagger, user_font_path

ARCHIVES = {"glyce_cws_tagger": trained_tagger}


@pytest.fixture(params=sorted(ARCHIVES))
def serialization_dir(request, components):
    return ARCHIVES[request.param]()


def _members(archive: Path):
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: (m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()}


def _rebuild(archive: Path, target: Path, replace=None, drop=()):
    """Re-tar ``archive`` into ``target`` with some members replaced (bytes) or dropped: a valid .tar.gz whose
    content was tampered with."""
    replace = replace or {}
    with tarfile.open(target, "w:gz") as out:
        for name, (member, data) in _members(archive).items():
            if name in drop or any(name.startswith(d + "/") for d in drop):
                continue
            data = replace.get(name, data)
            if data is not None:
                member.size = len(data)
                out.addfile(member, io.BytesIO(data))
            else:
                out.addfile(member)
    return target


class _Evil:
    """A pickle that would create a file when unpickled without weights_only."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def _damaged(kind: str, archive: Path, tmp_path: Path) -> Path:
    data = archive.read_bytes()
    target = tmp_path / f"{kind}.tar.gz"
    if kind == "empty":
        target.write_bytes(b"")
    elif kind == "not_gzip":
        target.write_text("this is not an archive\n")
    elif kind.startswith("truncated_"):
        keep = {"truncated_10": 10, "truncated_half": len(data) // 2, "truncated_gzip_trailer": len(data) - 8,
                "truncated_end": len(data) - 100}[kind]
        target.write_bytes(data[:keep])
    elif kind == "flipped_gzip_crc":
        target.write_bytes(data[:-6] + bytes([data[-6] ^ 0xFF]) + data[-5:])
    elif kind == "flipped_middle":
        middle = len(data) // 2
        target.write_bytes(data[:middle] + bytes([data[middle] ^ 0x55]) + data[middle + 1:])
    elif kind == "weights_bit_flip":  # valid tar.gz, but one tensor byte of weights.th changed
        weights = bytearray(_members(archive)["weights.th"][1])
        weights[len(weights) // 2] ^= 0x01
        _rebuild(archive, target, {"weights.th": bytes(weights)})
    elif kind == "weights_garbage":
        _rebuild(archive, target, {"weights.th": b"\x00" * 1000})
    elif kind == "config_not_json":
        _rebuild(archive, target, {"config.json": b'{"model": '})
    elif kind == "no_vocabulary":
        _rebuild(archive, target, drop=("vocabulary",))
    elif kind == "no_weights":
        _rebuild(archive, target, drop=("weights.th",))
    elif kind == "malicious_pickle":
        buffer = io.BytesIO()
        torch.save({"state": _Evil(tmp_path / "PWNED")}, buffer)
        _rebuild(archive, target, {"weights.th": buffer.getvalue()})
    else:
        raise ValueError(kind)
    return target


DAMAGE = ["empty", "not_gzip", "truncated_10", "truncated_half", "truncated_gzip_trailer", "truncated_end",
          "flipped_gzip_crc", "flipped_middle", "weights_bit_flip", "weights_garbage", "config_not_json",
          "no_vocabulary", "no_weights", "malicious_pickle"]


@pytest.mark.slow
@pytest.mark.parametrize("kind", DAMAGE)
def test_damaged_archive_gives_a_clear_error_naming_the_archive(kind, serialization_dir, tmp_path):
    from allennlp.models.archival import load_archive
    from allennlp.predictors import Predictor

    from glyce_allennlp.archive_check import ArchiveError

    bad = _damaged(kind, serialization_dir / "model.tar.gz", tmp_path)
    for load in (load_archive, lambda path: Predictor.from_path(path, "chinese_tagger")):
        with pytest.raises(ArchiveError) as caught:
            load(str(bad))
        message = str(caught.value)
        assert message.startswith(f"Cannot load the model archive {bad}: "), message
        assert len(message) < 1500  # a sentence, not a dump
    assert not (tmp_path / "PWNED").exists()  # never unpickled with weights_only=False


@pytest.mark.slow
def test_malicious_weights_are_refused_by_the_safe_loader_even_without_the_up_front_check(
        serialization_dir, tmp_path, monkeypatch):
    from allennlp.models.archival import load_archive

    from glyce_allennlp.archive_check import ArchiveError

    monkeypatch.setenv("GLYCE_VERIFY_ARCHIVES", "0")
    bad = _damaged("malicious_pickle", serialization_dir / "model.tar.gz", tmp_path)
    with pytest.raises(ArchiveError, match="weights_only=True"):
        load_archive(str(bad))
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.slow
def test_every_entry_point_refuses_a_damaged_archive_and_writes_archives_atomically(serialization_dir, tmp_path,
                                                                                     monkeypatch):
    """AllenNLP's modules import ``load_archive`` / ``archive_model`` by name: the patch reaches each of them."""
    import allennlp.commands.evaluate
    import allennlp.commands.predict
    import allennlp.commands.train
    import allennlp.models
    import allennlp.models.archival
    import allennlp.predictors.predictor

    from glyce_allennlp.archive_check import ArchiveError
    from glyce_allennlp.patches import archives

    bad = _damaged("truncated_end", serialization_dir / "model.tar.gz", tmp_path)
    for module in (allennlp.models.archival, allennlp.models, allennlp.predictors.predictor,
                   allennlp.commands.evaluate, allennlp.commands.predict):
        with pytest.raises(ArchiveError, match=f"^Cannot load the model archive {bad}: "):
            module.load_archive(str(bad))

    def crash_midway(serialization_dir, weights, archive_path, include_in_archive):
        Path(archive_path).write_bytes(b"partial")
        raise KeyboardInterrupt("killed while archiving")

    monkeypatch.setattr(archives, "_original_archive_model", crash_midway)
    for module in (allennlp.models.archival, allennlp.commands.train):
        target = tmp_path / module.__name__ / "model.tar.gz"
        target.parent.mkdir()
        target.write_bytes(b"the previous archive")
        with pytest.raises(KeyboardInterrupt):
            module.archive_model(str(target.parent))
        assert target.read_bytes() == b"the previous archive"
        assert [p.name for p in target.parent.iterdir()] == ["model.tar.gz"]


# ------------------------------------------------------------------------------------------------ weights_only
def test_no_code_path_passes_weights_only_false():
    import allennlp
    import allennlp_models

    import glyce_allennlp

    offenders, files = [], 0
    for package in (glyce_allennlp, allennlp, allennlp_models):
        for path in Path(package.__file__).parent.rglob("*.py"):
            files += 1
            with open(path, "rb") as handle:  # code tokens only: docstrings may mention the flag
                tokens = [t.string for t in tokenize.tokenize(handle.readline)
                          if t.type not in (tokenize.COMMENT, tokenize.STRING, tokenize.NL, tokenize.NEWLINE)]
            for i in range(len(tokens) - 2):
                if tokens[i:i + 3] == ["weights_only", "=", "False"]:
                    offenders.append(str(path))
    assert files > 500 and offenders == []
    assert not os.environ.get("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD")
    major, minor = (int(x) for x in torch.__version__.split(".")[:2])
    assert (major, minor) >= (2, 6)  # torch.load defaults to weights_only=True


@pytest.mark.slow
def test_load_archive_and_recover_files_load_with_weights_only(serialization_dir, monkeypatch):
    from allennlp.models.archival import load_archive

    calls = []
    real_load = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get("weights_only"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, "load", spy)
    archive = load_archive(str(serialization_dir / "model.tar.gz"))
    assert calls and all(w in (None, True) for w in calls), calls  # None = torch's default, True since 2.6
    monkeypatch.setattr(torch, "load", real_load)
    for path in serialization_dir.glob("*.th"):  # best.th, model_state_*, training_state_* (used by --recover)
        torch.load(path, weights_only=True)
    metrics = archive.model.get_metrics()
    assert metrics and all(type(v) is float for v in metrics.values()), {k: type(v) for k, v in metrics.items()}


# ------------------------------------------------------------------------------------------------ writing
@pytest.mark.slow
def test_archive_is_written_atomically(serialization_dir, tmp_path, monkeypatch):
    from allennlp.models import archival

    from glyce_allennlp.patches import archives

    work = tmp_path / "run"
    shutil.copytree(serialization_dir, work)
    target = work / "model.tar.gz"
    old = target.read_bytes()

    def crash_midway(serialization_dir, weights, archive_path, include_in_archive):
        Path(archive_path).write_bytes(old[: len(old) // 3])  # a partial archive ...
        raise KeyboardInterrupt("killed while archiving")  # ... then the process dies

    monkeypatch.setattr(archives, "_original_archive_model", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        archival.archive_model(str(work))
    assert target.read_bytes() == old  # the previous archive is untouched, no partial file under its name
    assert [p.name for p in work.glob("model.tar.gz*")] == ["model.tar.gz"]
    monkeypatch.undo()
    target.write_bytes(b"half-written by an older, non-atomic writer")
    assert archival.archive_model(str(work)) == str(target)
    archival.load_archive(str(target))


# ------------------------------------------------------------------------------------------------ glyph memory
@pytest.mark.slow
def test_glyph_table_is_not_in_the_weights_and_the_archive_does_not_grow_with_it(serialization_dir):
    from allennlp.models.archival import load_archive

    from glyce_allennlp.glyph import GlyphEmbedding
    from glyce_allennlp.glyph.fonts import gb2312_chars

    model = load_archive(str(serialization_dir / "model.tar.gz")).model
    glyph = next(m for m in model.modules() if isinstance(m, GlyphEmbedding))
    assert not any("_images" in key or "_memo" in key for key in model.state_dict())

    def saved_size():
        buffer = io.BytesIO()
        torch.save(model.state_dict(), buffer)
        return len(buffer.getvalue())

    before_rows, before_size = glyph.num_rows, saved_size()
    glyph.rows_for([ord(c) for c in gb2312_chars(level1_only=True)])  # render 3,000+ more characters
    table_growth = (glyph.num_rows - before_rows) * glyph._images[0].numel()
    assert table_growth > 1_000_000  # bytes of uint8 images added to the in-memory table
    assert saved_size() == before_size  # ... and not one byte more in the weights

    # the archive's weights.th is the state dict and nothing else
    weights = _members(serialization_dir / "model.tar.gz")["weights.th"][1]
    tensor_bytes = sum(t.numel() * t.element_size() for t in torch.load(io.BytesIO(weights)).values())
    assert tensor_bytes <= len(weights) < tensor_bytes + 64 * 1024


@pytest.mark.slow
def test_archive_records_the_font_sha256(serialization_dir):
    from glyce_allennlp.glyph.fonts import resolve_font, sha256_of

    weights = _members(serialization_dir / "model.tar.gz")["weights.th"][1]
    state = torch.load(io.BytesIO(weights))
    (key,) = [k for k in state if k.endswith("glyph.font_sha256")]
    recorded = [bytes(row.tolist()).hex() for row in state[key]]
    assert recorded == [resolve_font("song").sha256, sha256_of(user_font_path())]


@pytest.mark.slow
def test_a_different_font_at_load_time_is_refused(serialization_dir, tmp_path, monkeypatch, caplog):
    from allennlp.models.archival import load_archive

    from glyce_allennlp.glyph import GlyphEmbedding
    from glyce_allennlp.glyph.fonts import FontError, resolve_font, sha256_of

    other = tmp_path / "my_kai.ttf"  # same file name, different font (as if the user's file had been replaced)
    shutil.copyfile(resolve_font("fangsong").path, other)
    overrides = {"model.model.text_field_embedder.token_embedders.glyce.fonts": ["song", str(other)]}
    with pytest.raises(FontError) as caught:
        load_archive(str(serialization_dir / "model.tar.gz"), overrides=json.dumps(overrides))
    message = str(caught.value)
    assert str(other) in message and "GLYCE_FONT_MISMATCH=warn" in message and "song" not in message.split(":")[0]
    monkeypatch.setenv("GLYCE_FONT_MISMATCH", "warn")
    model = load_archive(str(serialization_dir / "model.tar.gz"), overrides=json.dumps(overrides)).model
    assert any("glyph fonts differ" in r.getMessage() for r in caplog.records)
    glyph = next(m for m in model.modules() if isinstance(m, GlyphEmbedding))
    assert bytes(glyph.font_sha256[1].tolist()).hex() == sha256_of(str(other))  # records the font in use


@pytest.mark.slow
def test_weights_saved_before_fonts_were_recorded_still_load(serialization_dir):
    from allennlp.models.archival import load_archive

    from glyce_allennlp.glyph import GlyphEmbedding

    model = load_archive(str(serialization_dir / "model.tar.gz")).model
    state = {k: v for k, v in model.state_dict().items() if not k.endswith("font_sha256")}
    glyph = next(m for m in model.modules() if isinstance(m, GlyphEmbedding))
    in_use = glyph.font_sha256.clone()
    glyph.font_sha256.zero_()
    model.load_state_dict(state, strict=True)  # no "missing key" error for the fingerprint
    assert torch.equal(glyph.font_sha256, in_use)  # it records the fonts in use


def test_any_flipped_byte_in_the_weights_zip_gives_archive_error_or_passes(tmp_path):
    """Flip each byte of the zip structures of a small torch file: the checker either accepts the file (a flip in
    data that no CRC covers) or raises ArchiveError naming the archive — never another exception (CI once got a
    ValueError "negative seek value" from zipfile on a damaged archive)."""
    from glyce_allennlp.archive_check import ArchiveError, _check_weights

    torch.save({"w": torch.arange(6.0)}, tmp_path / "weights.th")
    data = (tmp_path / "weights.th").read_bytes()
    eocd = data.rfind(b"PK\x05\x06")
    directory = data.rfind(b"PK\x01\x02", 0, eocd)
    start = data.find(b"PK\x01\x02")
    raised = 0
    for position in list(range(start, len(data))) + list(range(0, 64)):
        damaged = bytearray(data)
        damaged[position] ^= 0xFF
        try:
            _check_weights("damaged.tar.gz", io.BytesIO(bytes(damaged)))
        except ArchiveError as error:
            assert "damaged.tar.gz" in str(error)
            raised += 1
    assert raised > 0 and 0 < start <= directory < eocd  # the flips covered the central directory
