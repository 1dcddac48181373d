"""Reading and checking what a client sends: size limits, UTF-8, JSON, fields, empty and over-long texts.

Every refusal is a :class:`RequestError` with an HTTP status and a message that says what was wrong:

* 413: the body is over ``max_body_bytes``, a text over ``max_chars`` characters, more than ``max_lines`` inputs,
  an SRL sentence over ``max_srl_words`` rows, a glyph request over ``max_glyph_chars`` characters;
* 400: the body is not UTF-8, or not JSON;
* 422: JSON that is not an object, unknown or missing fields, values of the wrong type, an empty text, a lone
  surrogate (``"\\ud800"``: not a character), a pair that is not two sentences.

Nothing here touches a file: the inputs are strings handed to the predictors.
"""
import json
from typing import Dict, List, Optional

from pydantic import BaseModel, ConfigDict, ValidationError

from .limits import Limits

# which request fields each task takes (the first is the main one; "text" is always one input)
TASK_FIELDS = {"cws": ("text", "lines"), "pos": ("text", "lines"), "ner": ("text", "lines"),
               "classifier": ("text", "lines"), "parser": ("text", "lines"), "pair": ("pairs", "text", "lines"),
               "srl": ("conll2009", "blocks")}
PIPELINE_FIELDS = ("text", "lines")


class RequestError(Exception):
    """A request the server refuses: ``status`` (4xx) and ``message`` (sent as ``{"error": message}``)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class PredictRequest(BaseModel):
    """The JSON object of ``POST /predict/<model>`` and ``POST /pipeline``: exactly one of its fields (which ones a
    task takes: :data:`TASK_FIELDS`)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    text: Optional[str] = None
    lines: Optional[List[str]] = None
    pairs: Optional[List[List[str]]] = None
    conll2009: Optional[str] = None
    blocks: Optional[List[str]] = None


def decode_json_object(body: bytes) -> Dict:
    """The request body as a JSON object (400: not UTF-8 / not JSON; 422: not an object)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RequestError(400, f"the request body is not valid UTF-8 (byte {error.start}: "
                                f"{body[error.start:error.start + 1]!r})") from None
    if not text.strip():
        raise RequestError(400, 'empty request body: send a JSON object such as {"text": "..."}')
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise RequestError(400, f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
    if not isinstance(data, dict):
        raise RequestError(422, f"the request body must be a JSON object such as {{\"text\": \"...\"}}, "
                                f"not a JSON {type(data).__name__}")
    return data


def parse_request(body: bytes) -> PredictRequest:
    data = decode_json_object(body)
    try:
        return PredictRequest.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"]) or "body"
            message = "unknown field" if item["type"] == "extra_forbidden" else item["msg"]
            problems.append(f"{where}: {message}")
        raise RequestError(422, "; ".join(problems)) from None


def _given(request: PredictRequest) -> List[str]:
    return [name for name in PredictRequest.model_fields if getattr(request, name) is not None]


def _check_characters(text: str, where: str) -> None:
    """A JSON ``"\\ud800"`` escape gives a lone surrogate: not a character, and not writable as UTF-8."""
    surrogate = next((c for c in text if "\ud800" <= c <= "\udfff"), None)
    if surrogate is not None:
        raise RequestError(422, f"{where} contains a lone surrogate \\u{ord(surrogate):04x}, which is not a character")


def _check_text(text: str, where: str, limits: Limits) -> None:
    if not text.strip():
        raise RequestError(422, f"{where} is empty: no characters")
    if len(text) > limits.max_chars:
        raise RequestError(413, f"{where} has {len(text)} characters; the limit is {limits.max_chars}")
    _check_characters(text, where)


def _check_count(items: list, where: str, limits: Limits) -> None:
    if not items:
        raise RequestError(422, f"{where} is an empty list")
    if len(items) > limits.max_lines:
        raise RequestError(413, f"{where} has {len(items)} items; the limit is {limits.max_lines} per request")


def _check_pair_line(line: str, where: str) -> None:
    sides = line.split("\t")
    if len(sides) != 2:
        raise RequestError(422, f"{where} must be two sentences separated by one tab (s1<TAB>s2), found "
                                f"{len(sides) - 1} tabs")
    for name, side in zip(("first", "second"), sides):
        if not side.strip():
            raise RequestError(422, f"{where}: the {name} sentence is empty")


def request_inputs(request: PredictRequest, task: str, limits: Limits) -> List:
    """The predictor inputs of a request for a model of ``task``: lines (strings, as ``allennlp predict`` reads
    them) for every task but SRL, ``{"conll2009": block}`` objects for SRL."""
    fields = TASK_FIELDS[task]
    given = _given(request)
    if len(given) != 1 or given[0] not in fields:
        names = " or ".join(f'"{f}"' for f in fields)
        found = ", ".join(f'"{f}"' for f in given) or "none"
        raise RequestError(422, f"a {task} model takes exactly one of {names} (given: {found})")
    field = given[0]
    if field == "text":
        items, names = [request.text], ["text"]
    elif field == "conll2009":
        items, names = [request.conll2009], ["conll2009"]
    else:
        items = getattr(request, field)
        _check_count(items, field, limits)
        names = [f"{field}[{i}]" for i in range(len(items))]
    if task == "srl":
        return [_srl_input(block, where, limits) for block, where in zip(items, names)]
    if field == "pairs":
        lines = []
        for pair, where in zip(items, names):
            if len(pair) != 2:
                raise RequestError(422, f"{where} must be two sentences [s1, s2], found {len(pair)} strings")
            for side, side_where in zip(pair, (f"{where}[0]", f"{where}[1]")):
                _check_text(side, side_where, limits)
                if "\t" in side or "\n" in side:
                    raise RequestError(422, f"{side_where} contains a tab or a line break")
            lines.append(f"{pair[0]}\t{pair[1]}")
        return lines
    for text, where in zip(items, names):
        _check_text(text, where, limits)
        if task == "pair":
            _check_pair_line(text, where)
    return list(items)


def pipeline_lines(request: PredictRequest, limits: Limits) -> List[str]:
    """The raw-text lines of a ``POST /pipeline`` request."""
    given = _given(request)
    if len(given) != 1 or given[0] not in PIPELINE_FIELDS:
        found = ", ".join(f'"{f}"' for f in given) or "none"
        raise RequestError(422, f'the pipeline takes exactly one of "text" or "lines" (given: {found})')
    return request_inputs(request, "cws", limits)


def _srl_input(block: str, where: str, limits: Limits) -> Dict:
    rows = [line for line in block.split("\n") if line.strip() and not line.startswith("#")]
    if not rows:
        raise RequestError(422, f"{where} has no CoNLL-2009 rows")
    if len(rows) > limits.max_srl_words:
        raise RequestError(413, f"{where} has {len(rows)} rows; the limit is {limits.max_srl_words} words per sentence")
    _check_characters(block, where)
    return {"conll2009": block}


def glyph_text(text: str, limits: Limits) -> List[str]:
    """The characters of a ``/glyphs`` request (whitespace dropped)."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        raise RequestError(422, "text is empty: give the characters to draw, e.g. /glyphs?text=字")
    if len(chars) > limits.max_glyph_chars:
        raise RequestError(413, f"text has {len(chars)} characters; a glyph sheet draws at most "
                                f"{limits.max_glyph_chars}")
    _check_characters(text, "text")
    return chars
