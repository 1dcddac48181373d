"""`glyce-allennlp neighbors ARCHIVE 明 --top N --png out.png` on a tiny Glyce tagger trained on the fixtures."""
import pytest
import torch

pytestmark = pytest.mark.slow  # trains a small model


@pytest.fixture(scope="module")
def archive(train_config):
    # the same run as the NER Glyce tagger's config test (tests/test_training_configs.py): trained once per session
    run = train_config("ner/glyce_bilstm_crf.jsonnet", ("ner/train.bmes", "ner/dev.bmes", "ner/test.bmes"),
                       {"trainer.num_epochs": 1})
    return str(run / "model.tar.gz")


def test_neighbors_cli_lists_nearest_known_characters_and_writes_png(archive, tmp_path, capsys):
    from PIL import Image

    from glyce_allennlp.cli import main
    from glyce_allennlp.glyph.neighbors import glyph_vectors, known_characters
    from glyce_allennlp.glyph_archive import load_glyph_embedding

    glyph = load_glyph_embedding(archive)
    known = known_characters(glyph)
    query = known[0]
    png = tmp_path / "neighbors.png"
    assert main(["neighbors", archive, query, "--top", "5", "--png", str(png)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{query} (U+{ord(query):04X}, seen in training)")
    rows = [line.split() for line in lines[1:6]]
    assert [int(r[0]) for r in rows] == [1, 2, 3, 4, 5]
    chars, cosines = [r[1] for r in rows], [float(r[2]) for r in rows]
    assert query not in chars and set(chars) <= set(known)
    assert cosines == sorted(cosines, reverse=True) and all(-1.0 <= c <= 1.0 for c in cosines)

    # the first neighbour really is the nearest known character by cosine of the learned glyph vectors
    candidates = [c for c in known if c != query and not glyph.is_missing(c)]
    vectors = torch.nn.functional.normalize(glyph_vectors(glyph, [query] + candidates), dim=1)
    cosine = vectors[1:] @ vectors[0]
    assert chars[0] == candidates[int(cosine.argmax())]
    assert cosines[0] == pytest.approx(float(cosine.max()), abs=1e-4)

    # the sheet: query + 5 neighbours, one row each, one column per font of the model
    assert lines[-1] == f"sheet: {png}"
    image = Image.open(png)
    cell = glyph.renderer.image_size * 4 + 4
    assert image.height == 4 + 6 * cell
    assert image.width > len(glyph.renderer.fonts) * cell


def test_neighbors_of_a_character_unseen_in_training(archive, capsys):
    from glyce_allennlp.cli import main
    from glyce_allennlp.glyph.neighbors import glyph_neighbors, known_characters
    from glyce_allennlp.glyph_archive import load_glyph_embedding

    glyph = load_glyph_embedding(archive)
    unseen = next(c for c in "龘鑫淼焱垚犇骉" if c not in set(known_characters(glyph)))
    assert main(["neighbors", archive, unseen, "--top", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "not seen in training" in out[0] and len(out) == 4
    found = glyph_neighbors(glyph, unseen, top=3, candidates=["木", "林", "森", unseen])
    assert [c for c, _ in found] and unseen not in [c for c, _ in found]
