"""Quick convergence probe on a subset (CPU, one thread, plain Adam loop; no checkpointing, no test set).

    .venv/bin/python benchmarks/sentence_probe.py chnsenticorp base|glyce|raw|ln|nolambda [EPOCHS]
    .venv/bin/python benchmarks/sentence_probe.py lcqmc        base|glyce|raw|ln|nolambda [EPOCHS]

Builds the model of training_configs/classification/{bilstm,glyce_bilstm} or training_configs/pair/{bimpm,
glyce_bimpm}: ``glyce`` = the Glyce config as committed (glyph vector layer-normalised and scaled by 0.02); ``raw`` =
the Glyce config with the unnormalised, unscaled glyph vector (``glyph_norm: "none"``, ``glyph_scale: 1``, the first
version); ``ln`` = layer-normalised but unscaled; ``nolambda`` = the Glyce config with ``lambda0 = 0`` (glyph vectors,
no auxiliary loss). It trains the model with Adam (lr 1e-3, grad norm 5) and prints training and dev accuracy per
epoch.

* chnsenticorp: the first 2,000 lines of train.tsv (``max_chars`` 100), dev = the first 400 lines of dev.tsv, batch 32;
* lcqmc: 3,000 pairs of test.txt (``random.Random(0)`` shuffle), dev = the first 1,000 pairs of
  runs/sentence_level/lcqmc/dev_select.txt (written by ``benchmarks/sentence_level.sh lcqmc``), batch 64.

Data from $DATA (default ../shared/data). Seeds fixed (torch 13, shuffling 13).
"""
import json
import os
import random
import sys
import time

import torch

import glyce_allennlp

SETTINGS = {
    "chnsenticorp": dict(base="classification/bilstm", glyce="classification/glyce_bilstm",
                         train="chnsenticorp/train.tsv", dev="chnsenticorp/dev.tsv", n_train=2000, n_dev=400,
                         shuffle=False, batch=32, overrides={"dataset_reader.max_chars": 100}),
    "lcqmc": dict(base="pair/bimpm", glyce="pair/glyce_bimpm", train="lcqmc/test.txt",
                  dev="runs/sentence_level/lcqmc/dev_select.txt", n_train=3000, n_dev=1000, shuffle=True, batch=64,
                  overrides={}),
}


def main(task: str, variant: str, epochs: int) -> None:
    glyce_allennlp.load_components()
    from allennlp.common import Params
    from allennlp.data import Batch, Vocabulary
    from allennlp.data.dataset_readers import DatasetReader
    from allennlp.models import Model

    torch.set_num_threads(1)
    s = SETTINGS[task]
    data = os.environ.get("DATA", "../shared/data")
    os.environ.update(TRAIN_DATA_PATH="-", VALIDATION_DATA_PATH="-", TEST_DATA_PATH="")
    overrides = dict(s["overrides"])
    if variant == "nolambda":
        overrides["model.lambda0"] = 0.0
    glyce = "model.model.text_field_embedder.token_embedders.glyce"
    if variant == "raw":
        overrides.update({f"{glyce}.glyph_norm": "none", f"{glyce}.glyph_scale": 1.0})
    if variant == "ln":
        overrides.update({f"{glyce}.glyph_norm": "layer_norm", f"{glyce}.glyph_scale": 1.0})
    config = s["base"] if variant == "base" else s["glyce"]
    params = Params.from_file(f"training_configs/{config}.jsonnet", json.dumps(overrides))
    reader = DatasetReader.from_params(params.pop("dataset_reader"))
    train = list(reader.read(os.path.join(data, s["train"])))
    if s["shuffle"]:
        random.Random(0).shuffle(train)
    train = train[: s["n_train"]]
    dev_path = s["dev"] if s["dev"].startswith("runs/") else os.path.join(data, s["dev"])
    dev = list(reader.read(dev_path))[: s["n_dev"]]
    vocab = Vocabulary.from_instances(train)
    torch.manual_seed(13)
    random.seed(13)
    model = Model.from_params(vocab=vocab, params=params.pop("model"))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(epochs):
        model.train()
        random.shuffle(train)
        start = time.time()
        for i in range(0, len(train), s["batch"]):
            batch = Batch(train[i:i + s["batch"]])
            batch.index_instances(vocab)
            output = model(**batch.as_tensor_dict())
            optimizer.zero_grad()
            output["loss"].backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
        train_acc = model.get_metrics(reset=True)["accuracy"]
        model.eval()
        with torch.no_grad():
            for i in range(0, len(dev), 200):
                batch = Batch(dev[i:i + 200])
                batch.index_instances(vocab)
                model(**batch.as_tensor_dict())
        dev_acc = model.get_metrics(reset=True)["accuracy"]
        print(f"{task} {variant} epoch {epoch}: train acc {train_acc:.3f} dev acc {dev_acc:.3f} "
              f"({time.time() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3)
