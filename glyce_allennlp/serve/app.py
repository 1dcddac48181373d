"""The HTTP application (FastAPI): JSON API, glyph sheets, nearest glyphs and the page.

=================================== ==================================================================================
``GET /``                           the page (``static/index.html``; its script and style under ``/static/``)
``GET /health``                     ``{"status": "ok", "models": [names], "model_calls": {name: batches run}}``
``GET /models``                     ``{"models": [{"name", "task", "predictor", "archive", "labels", "fonts",
                                    "image_size"}], "pipeline": {step: model}, "limits": {...}}``
``POST /predict/<model>``           ``{"text": ...}`` / ``{"lines": [...]}`` (pair models also ``{"pairs": [[s1, s2],
                                    ...]}``, SRL ``{"conll2009": block}`` / ``{"blocks": [...]}``) →
                                    ``{"model", "task", "results": [the predictor's records, one per input]}``
``POST /pipeline``                  ``{"text"}`` / ``{"lines"}`` → ``{"pipeline": plan, "results": [...]}``
                                    (:mod:`glyce_allennlp.serve.pipeline`)
``GET /glyphs?text=..[&model=..]``  PNG: a row per character, a column per font, as ``glyce-allennlp glyphs`` draws
                                    it (with ``model``: that model's fonts and image size; else every installed font)
``GET /neighbors?model=..&char=..`` ``{"model", "char", "known", "candidates", "neighbors": [{"char", "cosine"}]}``:
                                    nearest characters by the model's learned glyph vectors
``GET /page-font``                  a Chinese font for the page (browsers without one still show the text)
=================================== ==================================================================================

Errors are ``{"error": message}`` with a 4xx status (:mod:`glyce_allennlp.serve.inputs`). Model calls run in worker
threads, batched per model (:mod:`glyce_allennlp.serve.batching`); the event loop only reads requests and writes
answers. Clients name models and characters, never files: fonts, archives and the page come from the server.
"""
import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from .batching import Batcher
from .inputs import RequestError, glyph_text, parse_request, pipeline_lines, request_inputs
from .limits import Limits
from .models import ServedModel
from .pipeline import pipeline_plan, plan_is_empty, run_pipeline

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
SHEET_SCALE = 4  # as `glyce-allennlp glyphs`
DEFAULT_IMAGE_SIZE = 12  # the image size of `glyce-allennlp glyphs` and of the configs
MAX_NEIGHBORS = 50
GLYPH_SHEETS_AT_ONCE = 2  # sheets drawn at the same time (each takes a worker thread for ~0.1-0.3 s)


def installed_fonts() -> List[str]:
    """Every installed registry font, in registry order (what ``glyce-allennlp glyphs`` draws by default)."""
    from glyce_allennlp.glyph.fonts import is_installed, load_registry

    return [spec.name for spec in load_registry().values() if is_installed(spec)]


def page_font() -> Optional[Path]:
    """The first installed registry font a browser can load (a .ttf / .otf file, not a collection)."""
    from glyce_allennlp.glyph.fonts import installed_path, is_installed, load_registry

    for spec in load_registry().values():
        path = installed_path(spec)
        if path.suffix.lower() in (".ttf", ".otf") and is_installed(spec):
            return path
    return None


def draw_glyph_sheet(chars: Sequence[str], fonts: Sequence[str], image_size: int) -> bytes:
    """PNG bytes of :func:`glyce_allennlp.glyph.sheet.glyph_sheet` (drawn into a private temporary folder)."""
    from glyce_allennlp.glyph.sheet import glyph_sheet

    with tempfile.TemporaryDirectory(prefix="glyce-serve-") as folder:
        path = glyph_sheet(list(chars), list(fonts), image_size, SHEET_SCALE, str(Path(folder) / "glyphs.png"))
        return Path(path).read_bytes()


def nearest_glyphs(model: ServedModel, char: str, top: int) -> Dict:
    from glyce_allennlp.glyph.neighbors import glyph_neighbors, known_characters

    with model.lock:
        known = known_characters(model.glyph)
        found = glyph_neighbors(model.glyph, char, top)
    return {"model": model.name, "char": char, "known": char in set(known), "candidates": len(known),
            "neighbors": [{"char": c, "cosine": round(s, 4)} for c, s in found]}


class ModelError(Exception):
    """A model (or glyph drawing) failed on a request that passed every check: answered 500 with the reason. Handled
    like a request error, so the connection stays open (an unhandled exception would make the server close it, and
    a client's next request on that keep-alive connection would get no answer)."""

    def __init__(self, what: str, error: BaseException):
        super().__init__(f"{what} failed: {type(error).__name__}: {error}")


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The request body, refused with 413 as soon as it is over ``max_bytes`` (declared or streamed)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise RequestError(413, f"the request body has {declared} bytes; the limit is {max_bytes}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise RequestError(413, f"the request body is over the limit of {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(models: Sequence[ServedModel], limits: Limits = Limits()) -> FastAPI:
    """The application serving ``models`` (names must be unique) under ``limits``."""
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        raise ValueError(f"model names must be unique, got {names}")
    by_name = {m.name: m for m in models}
    batchers = {m.name: Batcher(m.predict_json if m.task == "srl" else m.predict_lines, limits.max_lines)
                for m in models}
    plan = pipeline_plan(models)
    sheets = asyncio.Semaphore(GLYPH_SHEETS_AT_ONCE)
    default_fonts: List[str] = []

    app = FastAPI(title="glyce-allennlp", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.models = by_name
    app.state.batchers = batchers
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(RequestError)
    async def request_error(request: Request, error: RequestError):
        return JSONResponse({"error": error.message}, status_code=error.status)

    @app.exception_handler(ModelError)
    async def model_error(request: Request, error: ModelError):
        logger.error("%s %s: %s", request.method, request.url.path, error, exc_info=error.__cause__)
        return JSONResponse({"error": str(error)}, status_code=500)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException):
        return JSONResponse({"error": str(error.detail)}, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def query_error(request: Request, error: RequestValidationError):
        problems = [f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in error.errors()]
        return JSONResponse({"error": "; ".join(problems)}, status_code=422)

    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception):
        logger.error("%s %s failed", request.method, request.url.path, exc_info=error)
        return JSONResponse({"error": f"internal error: {type(error).__name__}: {error}"}, status_code=500)

    def model_named(name: str) -> ServedModel:
        if name not in by_name:
            raise RequestError(404, f"no model named {name!r}; loaded: {', '.join(names) or 'none'}")
        return by_name[name]

    def glyph_model(name: str) -> ServedModel:
        model = model_named(name)
        if model.glyph is None:
            raise RequestError(422, f"model {name!r} has no glyph embedding (it was trained without Glyce)")
        return model

    @app.get("/", include_in_schema=False)
    async def page():
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon():  # the page has no icon: say so without an error in the browser's console
        return Response(status_code=204)

    @app.get("/health")
    async def health():
        return {"status": "ok", "models": names, "model_calls": {n: b.batches_run for n, b in batchers.items()}}

    @app.get("/models")
    async def list_models():
        return {"models": [m.describe() for m in models], "pipeline": plan, "limits": limits.as_dict()}

    @app.post("/predict/{name}")
    async def predict(name: str, request: Request):
        model = model_named(name)
        inputs = request_inputs(parse_request(await read_body(request, limits.max_body_bytes)), model.task, limits)
        try:
            results = await batchers[name].submit(inputs)
        except ValueError as error:
            if model.task != "srl":
                raise ModelError(f"model {name!r}", error) from error
            raise RequestError(422, f"malformed CoNLL-2009 sentence: {error}") from None
        except Exception as error:
            raise ModelError(f"model {name!r}", error) from error
        if model.task == "srl":  # sentence numbers count within this request
            results = [{**record, "sentence": i} for i, record in enumerate(results, start=1)]
        return JSONResponse({"model": name, "task": model.task, "results": results})

    @app.post("/pipeline")
    async def pipeline(request: Request):
        if plan_is_empty(plan):
            raise RequestError(404, "the pipeline needs a segmenter (cws/pos), NER or text-classifier model; "
                                    f"loaded: {', '.join(f'{m.name} ({m.task})' for m in models) or 'none'}")
        lines = pipeline_lines(parse_request(await read_body(request, limits.max_body_bytes)), limits)
        try:
            results = await run_pipeline(lines, plan, batchers)
        except Exception as error:
            raise ModelError("the pipeline", error) from error
        return JSONResponse({"pipeline": plan, "results": results})

    @app.get("/glyphs")
    async def glyphs(text: str = "", model: Optional[str] = None):
        chars = glyph_text(text, limits)
        if model is not None:
            served = glyph_model(model)
            fonts, image_size = served.fonts, served.glyph.renderer.image_size
        else:
            if not default_fonts:
                default_fonts.extend(await asyncio.to_thread(installed_fonts))
            fonts, image_size = default_fonts, DEFAULT_IMAGE_SIZE
        if not fonts:
            raise RequestError(404, "no font is installed here (glyce-allennlp fonts install)")
        async with sheets:
            try:
                png = await asyncio.to_thread(draw_glyph_sheet, chars, fonts, image_size)
            except Exception as error:
                raise ModelError("drawing the glyph sheet", error) from error
        return Response(png, media_type="image/png", headers={"Cache-Control": "max-age=3600"})

    @app.get("/neighbors")
    async def neighbors(model: str, char: str, top: int = 10):
        served = glyph_model(model)
        if len(char) != 1 or char.isspace():
            raise RequestError(422, f"char must be one character, got {char!r}")
        if not 1 <= top <= MAX_NEIGHBORS:
            raise RequestError(422, f"top must be between 1 and {MAX_NEIGHBORS}, got {top}")
        try:
            return await asyncio.to_thread(nearest_glyphs, served, char, top)
        except ValueError as error:  # no font of the model can draw it
            raise RequestError(422, str(error)) from None
        except Exception as error:
            raise ModelError(f"glyph vectors of model {model!r}", error) from error

    @app.get("/page-font", include_in_schema=False)
    async def font():
        path = await asyncio.to_thread(page_font)
        if path is None:
            raise RequestError(404, "no font is installed here (glyce-allennlp fonts install)")
        return FileResponse(path, media_type="font/otf" if path.suffix.lower() == ".otf" else "font/ttf",
                            headers={"Cache-Control": "max-age=86400"})

    return app
