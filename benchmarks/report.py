"""Markdown reports of the benchmark harness (``benchmarks/run.py``): the results tables and the tuning table.

``render_results(results, tasks)`` turns a results JSON (``benchmarks/results/results.json``) into one summary table
per task (dataset | metric | baseline | + Glyce | Δ | paper anchors | epoch-time ratio | prediction ratio | seeds),
the ladder tables (pretrained inputs), the pretrained glyph encoder's tables (from scratch | frozen | fine-tuned
against the same baseline runs), then one details section per benchmark entry (command, remarks, per-seed numbers),
the rendering check and the CRF decoder comparison. ``render_tuning(tuning)`` renders
``benchmarks/results/tuning.json``. ``write_markdown`` writes a report into a file, replacing only the part between
:data:`BEGIN` and :data:`END` when the file has both markers, so hand-written text around them
(``benchmarks/results.md``) is kept.
"""
import statistics
from pathlib import Path
from typing import Dict, List, Optional

BEGIN = "<!-- written by benchmarks/run.py from its results JSON: edit the JSON or rerun, not this part -->"
END = "<!-- end of the part written by benchmarks/run.py -->"

TASK_ORDER = ["Named entity recognition", "POS tagging (joint segmentation + POS)", "Word segmentation",
              "Dependency parsing", "Sentence classification", "Sentence pairs"]


def _pct(x, digits=2) -> str:
    return "–" if x is None else f"{100 * x:.{digits}f}"


def _fmt_metric(stats: Dict) -> str:
    """``mean ± sd`` of a metric summary (``n``, ``mean``, ``sd``) as percentages; ``–`` without values."""
    if not stats["n"]:
        return "–"
    text = _pct(stats["mean"])
    if stats["n"] > 1:
        text += f" ± {100 * stats['sd']:.2f}"
    return text


def _fmt(stats: Optional[Dict], digits=1) -> str:
    return "–" if not stats or stats.get("mean") is None else f"{stats['mean']:.{digits}f}"


def _num(value, digits=1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _ratio(value) -> str:
    return "–" if value is None else f"{value:.2f}×"


def _epochs(entry: Dict) -> List[int]:
    return sorted({r.get("epochs") for role in ("baseline", "glyce") for r in entry["models"][role]["runs"]
                   if r.get("epochs")})


def _epoch_ratio(c: Dict) -> str:
    """The epoch-time ratio of a comparison: over the epochs both models trained at the same time; else the timing
    runs' (``--time-batches``: both models trained side by side for a number of batches); else over all epochs,
    flagged."""
    if c.get("epoch_time_ratio_side_by_side") is False:
        if c.get("timed_epoch_time_ratio") is not None:
            return f"{_ratio(c['timed_epoch_time_ratio'])} (timed side by side, {c.get('timed_batches')} batches)"
        return _ratio(c["epoch_time_ratio"]) + " (not side by side)"
    return _ratio(c["epoch_time_ratio"])


def _summary_row(entry: Dict) -> str:
    base, glyce, c = entry["models"]["baseline"], entry["models"]["glyce"], entry["comparison"]
    dataset = entry["title"] + (f" ({entry['setting']})" if entry.get("setting") else "")
    cells = [f"{_fmt_metric(m['test'])} (dev {_pct(m['dev']['mean'])})" for m in (base, glyce)]
    delta = "–" if c["test_delta"] is None else f"{100 * c['test_delta']:+.2f}"
    paper = " · ".join(f"{k} {v}" for k, v in entry["paper"].items()) or "–"
    epoch_ratio = _epoch_ratio(c)
    prediction = (f"{_ratio(c['prediction_throughput_ratio'])} "
                  f"(1st pass {_ratio(c['first_pass_prediction_throughput_ratio'])})")
    seeds = ", ".join(map(str, glyce["seeds"])) or "–"
    epochs = ",".join(map(str, _epochs(entry)))
    return (f"| {dataset} | {entry['metric_label']} | {cells[0]} | {cells[1]} | {delta} | {paper} | {epoch_ratio} | "
            f"{prediction} | {seeds}{f' · {epochs} epochs' if epochs else ''} |")


def _details(entry: Dict, notes: str) -> List[str]:
    base, glyce = entry["models"]["baseline"], entry["models"]["glyce"]
    machine = entry["machine"]
    # recorded since the harness names the instruction set of PyTorch's CPU kernels (older entries: not known)
    kernels = f", PyTorch's {machine['torch_cpu_capability']} kernels" if machine.get("torch_cpu_capability") else ""
    lines = [f"### {entry['title']}", "",
             f"`{base['config']}` vs `{glyce['config']}`, {entry['metric_label']}; {entry['date']}, {machine['cpu']} "
             f"({machine['cores']} cores{kernels}, load average {entry['load_average'][0]:.1f} at the start).", "",
             f"```bash\n{entry['command']}\n```", ""]
    remarks = ([notes] if notes else []) + list(entry.get("remarks", []))
    if remarks:
        lines += [f"- {r}" for r in remarks] + [""]
    if entry.get("test_in_train") is not None:
        lines += [f"{entry['test_in_train']} of the {entry['test_sentences']} test items occur verbatim in the "
                  f"training file; \"test w/o them\" is the metric on the other "
                  f"{entry['test_sentences'] - entry['test_in_train']}.", ""]
    # optional columns: (header, key of the F1, key of its gold-entity count), shown when some run has the F1
    optional = [("test w/o items in train", "test_dedup", None),
                ("F1 on test entities with an unseen char (gold entities)", "unseen_entity_f1",
                 "unseen_gold_entities"),
                ("F1 on test entities with a char without a pretrained vector (gold entities)", "novec_entity_f1",
                 "novec_gold_entities")]
    optional += [(f"{g} entity F1 (gold entities)", f"{g}_entity_f1", f"{g}_gold_entities")
                 for g in entry.get("span_groups", [])]
    runs = [r for m in (base, glyce) for r in m["runs"]]
    columns = [c for c in optional if any(r.get(c[1]) is not None for r in runs)]
    header = ("| model | seed | test | dev | best epoch | epochs | s / training epoch | prediction sent/s (steady / "
              "1st pass) | peak RSS (MiB) |" + "".join(f" {c[0]} |" for c in columns))
    lines += [header, "|" + "---|" * (9 + len(columns))]
    for m in (base, glyce):
        for r in m["runs"]:
            if "error" in r:
                lines.append(f"| `{m['config']}` | {r['seed']} | failed |" + " |" * (6 + len(columns)))
                continue
            row = (f"| `{m['config']}` | {r['seed']} | {_pct(r.get('test'))} | {_pct(r.get('dev'))} | "
                   f"{_num(r.get('best_epoch'), 0)} | {r.get('epochs', '–')} | "
                   f"{_num(r.get('train_seconds_per_epoch'))} | "
                   f"{_num(r.get('predict_sentences_per_second'))} / "
                   f"{_num(r.get('predict_first_pass_sentences_per_second'))} | {_num(r.get('peak_rss_mb'), 0)} |")
            for _, key, count in columns:
                row += f" {_pct(r.get(key))}" + (f" ({r.get(count, '–')})" if count else "") + " |"
            lines.append(row)
    lines.append("")
    return lines


def _pair(entry: Dict, key: str, count: Optional[str] = None) -> str:
    """``baseline / + Glyce`` means of ``key`` (percentages), with the gold count of the first run in brackets."""
    base, glyce = entry["models"]["baseline"], entry["models"]["glyce"]
    if not (base.get(key) or {}).get("n") and not (glyce.get(key) or {}).get("n"):
        return "–"
    text = f"{_fmt_metric(base[key])} / {_fmt_metric(glyce[key])}"
    if count:
        counts = [r.get(count) for m in (base, glyce) for r in m["runs"] if r.get(count) is not None]
        text += f" ({counts[0]})" if counts else ""
    return text


def _ladder_rows(entries: List[Dict]) -> List[str]:
    """One ladder table: a row per rung (baseline, + Glyce, Δ, the de-duplicated test, entity groups, ratios)."""
    groups = sorted({g for e in entries for g in e.get("span_groups", [])})
    spans = any((e["models"]["glyce"].get("novec_entity_f1") or {}).get("n") for e in entries)
    header = ["rung", "baseline", "+ Glyce", "Δ", "w/o test items in train: baseline / + Glyce (Δ)"]
    if spans:
        header.append("entities with a char without a vector: baseline / + Glyce (gold)")
    header += [f"{g} entities: baseline / + Glyce (gold)" for g in groups]
    header += ["epoch-time ratio", "prediction ratio", "seeds"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for entry in entries:
        base, glyce, c = entry["models"]["baseline"], entry["models"]["glyce"], entry["comparison"]
        delta = "–" if c["test_delta"] is None else f"{100 * c['test_delta']:+.2f}"
        dedup = _pair(entry, "test_dedup")
        if c.get("test_dedup_delta") is not None:
            dedup += f" ({100 * c['test_dedup_delta']:+.2f}; {entry.get('test_in_train')} of " \
                     f"{entry.get('test_sentences')} in train)"
        cells = [entry.get("rung") or "–", _fmt_metric(base["test"]), _fmt_metric(glyce["test"]), delta, dedup]
        if spans:
            cells.append(_pair(entry, "novec_entity_f1", "novec_gold_entities"))
        cells += [_pair(entry, f"{g}_entity_f1", f"{g}_gold_entities") for g in groups]
        epochs = ",".join(map(str, _epochs(entry)))
        cells += [_epoch_ratio(c), _ratio(c["prediction_throughput_ratio"]),
                  (", ".join(map(str, glyce["seeds"])) or "–") + (f" · {epochs} epochs" if epochs else "")]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


GLYPH_COLUMNS = ("from scratch", "frozen", "fine-tuned")
CHAR_ID = "char-ID (random start)"  # the first rung of every ladder (benchmarks/run.py)
FAST_LAYOUT = "fast Glyce layout"  # in the titles of the fast-layout entries (benchmarks/run.py)


def _input_label(entries: List[Dict]) -> str:
    """The input setting of a row of the glyph-encoder table: the ladder rung of its entries (char-ID where none
    says), and the fast layout where the entries use it."""
    label = next((e["rung"] for e in entries if e.get("rung")), CHAR_ID)
    return label + (f", {FAST_LAYOUT}" if any(FAST_LAYOUT in e.get("title", "") for e in entries) else "")


def _baseline_tests(entry: Dict) -> Dict[int, float]:
    """Seed → test metric of an entry's baseline runs."""
    return {r["seed"]: r["test"] for r in entry["models"]["baseline"]["runs"] if r.get("test") is not None}


def other_baseline_runs(entry: Dict, reference: Dict) -> bool:
    """Whether ``entry`` was compared with other baseline runs than ``reference`` was: a seed they share scored
    differently (the baseline retrained with other inputs, e.g. vector files trained again), or no seed is shared."""
    mine, theirs = _baseline_tests(entry), _baseline_tests(reference)
    shared = set(mine) & set(theirs)
    return not shared or any(abs(mine[s] - theirs[s]) > 1e-9 for s in shared)


def _glyph_encoder_section(entries: Dict[str, Dict], names: List[str]) -> List[str]:
    """The pretrained glyph encoder against learning the glyph CNN from scratch: a table per dataset, a row per input
    setting (char-ID, the ladder's rungs), each Glyce variant's test metric and Δ against the same baseline runs, and
    the time ratios. Rows exist for the settings with a frozen or fine-tuned entry (``glyph_encoder``); the
    from-scratch column is the entry those reuse the baseline of (``baseline_from``)."""
    rows: Dict[str, Dict[str, Dict]] = {}  # entry with the baseline runs → {column: entry}
    for name in names:
        entry = entries[name]
        if entry.get("glyph_encoder") and entry.get("baseline_from"):
            rows.setdefault(entry["baseline_from"], {})[entry["glyph_encoder"]] = entry
    if not rows:
        return []
    for source, row in rows.items():
        if source in entries:
            row["from scratch"] = entries[source]
    lines = ["## The pretrained glyph encoder: from scratch, frozen, fine-tuned", "",
             "Glyce with its Tianzige-CNN learned from scratch with the task, with the shipped pretrained glyph "
             "encoder frozen (glyph vectors from a table: no CNN in the training step, no auxiliary loss) and "
             "fine-tuned, each against the same baseline runs (a frozen or fine-tuned entry reuses the from-scratch "
             "entry's). Cells: "
             "test metric, mean ± standard deviation over the seeds (Δ against the baseline). Time ratios (Glyce / "
             "baseline) in the column order; targets for the frozen encoder at the paper layout's width: epoch time "
             "≤ 1.1×, prediction throughput ≥ 0.95×. A cell whose baseline runs are not the row's (they scored "
             "otherwise on a shared seed: retrained with other inputs) gives its Δ against its own baseline runs, "
             "with their mean.", ""]
    by_dataset: Dict[str, List[str]] = {}
    for source in sorted(rows, key=lambda n: names.index(n) if n in names else len(names)):
        any_entry = next(iter(rows[source].values()))
        by_dataset.setdefault(any_entry.get("dataset") or source, []).append(source)
    header = ["input", "baseline", *GLYPH_COLUMNS, "epoch-time ratio", "prediction ratio", "seeds"]
    for dataset, sources in by_dataset.items():
        first = next(iter(rows[sources[0]].values()))
        lines += [f"### {first['title'].split(',')[0]} ({first['metric_label']})", "",
                  "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for source in sources:
            row = rows[source]
            present = [row[c] for c in GLYPH_COLUMNS if c in row]
            all_seeds = sorted({s for e in present for s in e["models"]["glyce"]["seeds"]})
            cells = [_input_label(present), _fmt_metric(present[0]["models"]["baseline"]["test"])]
            for column in GLYPH_COLUMNS:
                entry = row.get(column)
                if entry is None:
                    cells.append("–")
                    continue
                delta = entry["comparison"]["test_delta"]
                seeds = sorted(entry["models"]["glyce"]["seeds"])
                own = (f" against its own baseline runs, {_fmt_metric(entry['models']['baseline']['test'])}"
                       if other_baseline_runs(entry, present[0]) else "")
                cells.append(_fmt_metric(entry["models"]["glyce"]["test"]) +
                             ("" if delta is None else f" ({100 * delta:+.2f}{own})") +
                             ("" if seeds == all_seeds else f" [seed{'s' if len(seeds) > 1 else ''} "
                                                            f"{', '.join(map(str, seeds))}]"))
            cells.append(" · ".join(_epoch_ratio(row[c]["comparison"]) if c in row else "–" for c in GLYPH_COLUMNS))
            cells.append(" · ".join(_ratio(row[c]["comparison"]["prediction_throughput_ratio"]) if c in row else "–"
                                    for c in GLYPH_COLUMNS))
            epochs = sorted({n for e in present for n in _epochs(e)})
            cells.append((", ".join(map(str, all_seeds)) or "–") +
                         (f" · {','.join(map(str, epochs))} epochs" if epochs else ""))
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def render_results(results: Dict, tasks: Dict[str, str]) -> str:
    """The results report. ``tasks`` maps each benchmark name to its task (a heading of the summary), in the order
    the entries are listed."""
    lines = []
    entries = results.get("benchmarks", {})
    if entries:
        order = list(tasks)  # the benchmark table's order
        names = sorted(entries, key=lambda n: order.index(n) if n in order else len(order))
        by_task: Dict[str, List[Dict]] = {}
        for name in names:
            by_task.setdefault(tasks.get(name, "Other"), []).append(entries[name])
        lines += ["## Summary", "",
                  "Test metric: mean ± standard deviation over the seeds (dev: mean of the dev-selected checkpoints). "
                  "Epoch-time ratio: Glyce / baseline seconds per training epoch, over the epochs both ran at the "
                  "same time. Prediction ratio: Glyce / baseline sentences per second, steady state (first pass "
                  "in brackets: it includes rendering characters unseen in training).", ""]
        for task in sorted(by_task, key=lambda t: TASK_ORDER.index(t) if t in TASK_ORDER else len(TASK_ORDER)):
            lines += [f"### {task}", "",
                      "| dataset | metric | baseline | + Glyce | Δ | paper anchors | epoch-time ratio | prediction "
                      "ratio | seeds |", "|---|---|---|---|---|---|---|---|---|"]
            lines += [_summary_row(entry) for entry in by_task[task]] + [""]
        ladders: Dict[str, List[Dict]] = {}
        for name in names:
            if entries[name].get("rung") and not entries[name].get("glyph_encoder"):
                ladders.setdefault(entries[name].get("dataset") or name, []).append(entries[name])
        # a dataset with the char-ID rung alone: its summary row says it all
        ladders = {dataset: rungs for dataset, rungs in ladders.items() if any(r["rung"] != CHAR_ID for r in rungs)}
        if ladders:
            lines += ["## Ladder: pretrained inputs, without and with Glyce", "",
                      "Each rung adds a pretrained input to both models of the pair (the first rung is the char-ID "
                      "pair of the summary). Test metric: mean ± standard deviation over the seeds; \"w/o test "
                      "items in train\": the same models on the test items that do not occur verbatim in the "
                      "training file; entity columns: span F1 on the test entities of that group (gold count in "
                      "brackets).", ""]
            for dataset, rungs in ladders.items():
                first = rungs[0]
                lines += [f"### {first['title'].split(',')[0]} ({first['metric_label']})", ""]
                lines += _ladder_rows(rungs) + [""]
        lines += _glyph_encoder_section(entries, names)
        lines += ["## Details", ""]
        for name in names:
            lines += _details(entries[name], entries[name].get("notes", ""))
    render = results.get("render")
    if render:
        lines += ["## Rendering the 6,763 GB2312 characters (target: < 20 s cold, < 1 s from cache)", "",
                  "| fonts | image size | open fonts (s) | cold render (s) | load from cache (s) | missing | "
                  "cache (MiB) |",
                  "|---|---|---|---|---|---|---|"]
        for r in render["numbers"].values():
            lines.append(f"| {', '.join(r['fonts'])} | {r['image_size']} | {r['open_seconds']:.2f} | "
                         f"{r['cold_render_seconds']:.1f} | {r['cache_load_seconds']:.3f} | {r['missing']} | "
                         f"{r['cache_megabytes']:.1f} |")
        lines += ["", f"{render['date']}, {render['machine']['cpu']}, `{render['command']}`.", ""]
    crf = results.get("crf_speed")
    if crf:
        s, f = crf["models"]["crf_tagger"], crf["models"]["glyce_crf_tagger"]
        lines += ["## CRF decoding: stock `crf_tagger` vs `glyce_crf_tagger` (batched Viterbi)", "",
                  f"Same config (`{crf['config']}`), seed, batches and dropout masks, trained interleaved batch by "
                  f"batch; "
                  f"{crf['train_sentences']} training sentences × {crf['epochs']} epoch(s), device {crf['device']}, "
                  f"{crf['torch_threads']} thread(s). Identical final weights: {crf['identical_weights']}; "
                  f"identical F1: {crf['identical_f1']}.", "",
                  "| model | training sent/s | of which Viterbi (s) | dev prediction sent/s | dev F1 | test F1 |",
                  "|---|---|---|---|---|---|"]
        for name, m in (("crf_tagger (stock)", s), ("glyce_crf_tagger", f)):
            lines.append(f"| {name} | {m['train_sentences_per_second']:.1f} | {m['decode_seconds_train']:.1f} | "
                         f"{m['dev_eval_sentences_per_second']:.1f} | {_pct(m['dev_f1'])} | {_pct(m['test_f1'])} |")
        lines += ["", f"Speed-up: training {crf['speedup_train']:.2f}×, Viterbi decoding alone "
                      f"{crf['speedup_decoder']:.1f}×, dev prediction {crf['speedup_dev_eval']:.2f}×. "
                      f"{crf['date']}, {crf['machine']['cpu']}, `{crf['command']}`.", ""]
    return "\n".join(lines)


def render_tuning(tuning: Dict) -> str:
    """The tuning report: per benchmark, each variant's best dev metric per seed, mean, seconds per epoch."""
    lines = ["# Tuning on dev", "",
             "Written by `benchmarks/run.py --tune`: variants of the Glyce config, best dev metric per run (the test "
             "set is never read). One thread per run, two runs at a time, other jobs may share the machine: seconds "
             "are not comparable across rows.", ""]
    for bench in tuning.values():
        lines += [f"## {bench['title']} ({bench['metric_label']}, dev)", "",
                  "| variant | what it changes | seeds | dev per seed | dev mean | s / training epoch | epochs | "
                  "date |",
                  "|---|---|---|---|---|---|---|---|"]
        for variant, v in bench["variants"].items():
            runs = v["runs"]
            seeds = sorted(runs, key=int)
            devs = [runs[s]["dev"] for s in seeds]
            if not seeds:
                continue
            lines.append(f"| `{variant}` | {v['what']} | {','.join(seeds)} | "
                         f"{' / '.join(f'{100 * d:.2f}' for d in devs)} | {100 * statistics.mean(devs):.2f} | "
                         f"{statistics.mean(runs[s]['train_seconds_per_epoch'] for s in seeds):.1f} | "
                         f"{','.join(sorted({str(runs[s]['epochs']) for s in seeds}))} | {v['date']} |")
        lines += ["", f"Command(s): {'; '.join(f'`{c}`' for c in bench['commands'])}", ""]
    return "\n".join(lines)


def write_markdown(path: Path, text: str, title: str = "# Benchmark results") -> None:
    """Write ``text`` between the markers of ``path`` (the rest of the file is kept), or, when ``path`` does not exist
    or lacks the markers, write ``title``, the markers and ``text`` as the whole file."""
    block = f"{BEGIN}\n\n{text.rstrip()}\n\n{END}"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        new = head + block + tail
    else:
        new = f"{title}\n\n{block}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")
