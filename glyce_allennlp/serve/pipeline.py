"""The raw-text pipeline of ``POST /pipeline``: segment (+ POS) → parse, and NER and text classification, in one
call, with whichever of those models the server holds.

Steps, each run by the first loaded model of its task (in the order of the command line):

* ``segment``: a POS tagger (``pos``), else a word segmenter (``cws``): words (and their POS);
* ``parse``: a dependency parser (``parser``) on the segmenter's words (and POS, as the ``chinese_dependency_parser``
  predictor's JSON input); only with a segmenter;
* ``ner``: an entity tagger, on the raw text;
* ``classify``: every text classifier (``classifier``), on the raw text.

Each line gives ``{"text": line, "<step>": {"model": name, ...the predictor's record...}, ...}`` for the steps that
ran (``classify``: a list, one record per classifier).
"""
import asyncio
import json
from typing import Dict, List, Optional, Sequence

from .batching import Batcher


def pipeline_plan(models: Sequence) -> Dict:
    """Which model runs each step (``None`` / ``[]``: the step does not run)."""

    def first(*tasks: str) -> Optional[str]:
        return next((m.name for task in tasks for m in models if m.task == task), None)

    segment = first("pos", "cws")
    return {"segment": segment, "parse": first("parser") if segment else None, "ner": first("ner"),
            "classify": [m.name for m in models if m.task == "classifier"]}


def plan_is_empty(plan: Dict) -> bool:
    return not (plan["segment"] or plan["ner"] or plan["classify"])


def parser_line(text: str, segmented: Dict) -> str:
    """A segmenter's record as a line of the ``chinese_dependency_parser`` predictor (its JSON input)."""
    return json.dumps({"text": text, "words": segmented["words"], "pos": segmented.get("pos")}, ensure_ascii=False)


async def run_pipeline(lines: List[str], plan: Dict, batchers: Dict[str, Batcher]) -> List[Dict]:
    async def segment_and_parse():
        if not plan["segment"]:
            return None, None
        segmented = await batchers[plan["segment"]].submit(lines)
        if not plan["parse"]:
            return segmented, None
        parsed = await batchers[plan["parse"]].submit([parser_line(t, s) for t, s in zip(lines, segmented)])
        return segmented, parsed

    async def optional(name: Optional[str]):
        return await batchers[name].submit(lines) if name else None

    (segmented, parsed), entities, *classified = await asyncio.gather(
        segment_and_parse(), optional(plan["ner"]), *(optional(name) for name in plan["classify"]))
    records = []
    for i, line in enumerate(lines):
        record: Dict = {"text": line}
        for step, results in (("segment", segmented), ("parse", parsed), ("ner", entities)):
            if results is not None:
                record[step] = {"model": plan[step], **results[i]}
        if classified:
            record["classify"] = [{"model": name, **results[i]} for name, results in zip(plan["classify"],
                                                                                       classified)]
        records.append(record)
    return records
