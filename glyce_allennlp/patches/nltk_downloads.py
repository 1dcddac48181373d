"""No NLTK downloads while AllenNLP imports allennlp-models. Standard library only: this file also runs at
interpreter start (see below), before AllenNLP, NLTK or glyce_allennlp are imported.

What upstream does wrong: every ``allennlp`` command (and ``allennlp.common.plugins.import_plugins()``) imports every
module of allennlp-models, including ``allennlp_models.rc.tools.narrativeqa``, which at import time calls
``nltk.download("punkt")`` and ``nltk.download("wordnet")`` whenever NLTK's ``punkt`` data is not installed: a network
access on every command and, where the NLTK data server cannot be reached, eight ``[nltk_data] Error loading punkt:
<urlopen error ...>`` lines on stderr per process (each distributed worker repeats them). glyce_allennlp uses neither
that module nor NLTK's data.

What this module does: :class:`NoNltkDownloadsFinder`, an import hook that matches only that module, imports it
unchanged except that ``nltk.download`` does nothing during its import (logged at DEBUG level). Code that then needs
the data (allennlp-models' NarrativeQA metrics) raises NLTK's own "Resource punkt not found" error; install the data
with ``python -m nltk.downloader punkt wordnet`` where the NLTK data server can be reached.

AllenNLP imports allennlp-models before the ``--include-package`` modules, so the hook has to be in place when the
interpreter starts: ``python -m glyce_allennlp.patches.nltk_downloads install`` (run by ``make setup``) writes
:data:`PTH_NAME` into the environment's site-packages; Python runs its line at every start of that environment, which
loads this file (not the glyce_allennlp package) and installs the hook. ``... uninstall`` removes the file; the line
does nothing once this file is gone. :func:`glyce_allennlp.patches.apply` also installs the hook in-process, which
covers :func:`glyce_allennlp.load_components` without the ``.pth`` file.
"""
import os
import sys

MODULE = "allennlp_models.rc.tools.narrativeqa"
PTH_NAME = "glyce_allennlp_nltk_downloads.pth"
_STARTUP_NAME = "_glyce_allennlp_nltk_downloads"  # the module name this file gets when the .pth line loads it


def _skip_download(info_or_id=None, *args, **kwargs) -> bool:
    import logging  # not at the top: this file runs at every interpreter start

    logging.getLogger("glyce_allennlp.patches.nltk_downloads").debug(
        "Not downloading NLTK data %r while importing %s.", info_or_id, MODULE)
    return False


class _LoaderWithoutNltkDownloads:
    """Executes the module with the wrapped loader while ``nltk.download`` is :func:`_skip_download`."""

    def __init__(self, loader) -> None:
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        import nltk

        download = nltk.download
        nltk.download = _skip_download
        try:
            self.loader.exec_module(module)
        finally:
            nltk.download = download

    def __getattr__(self, name):  # get_source, get_filename, ... of the wrapped loader
        return getattr(self.loader, name)


class NoNltkDownloadsFinder:
    """A ``sys.meta_path`` finder for :data:`MODULE` only: the spec the other finders give, with its loader wrapped
    in :class:`_LoaderWithoutNltkDownloads`."""

    glyce_nltk_downloads = True  # marks the hook, whichever copy of this file defined it

    def find_spec(self, fullname, path, target=None):
        if fullname != MODULE:
            return None
        for finder in sys.meta_path:
            if getattr(finder, "glyce_nltk_downloads", False) or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _LoaderWithoutNltkDownloads(spec.loader)
                return spec
        return None


def install_finder() -> None:
    """Put :class:`NoNltkDownloadsFinder` first on ``sys.meta_path`` unless it is there (idempotent). No effect on a
    module imported before."""
    if not any(getattr(finder, "glyce_nltk_downloads", False) for finder in sys.meta_path):
        sys.meta_path.insert(0, NoNltkDownloadsFinder())


def pth_line(path: str = __file__) -> str:
    """The line of :data:`PTH_NAME`: load the file ``path`` as the module ``_glyce_allennlp_nltk_downloads`` (which
    installs the hook), when that file exists."""
    return (f"import importlib.util as u, os, sys; p = {os.path.abspath(path)!r}; "
            f"s = os.path.isfile(p) and u.spec_from_file_location({_STARTUP_NAME!r}, p); "
            f"s and s.loader.exec_module(sys.modules.setdefault(s.name, u.module_from_spec(s)))\n")


def _site_packages() -> str:
    import sysconfig

    return sysconfig.get_paths()["purelib"]


def install(site_packages: str = None) -> str:
    """Write :data:`PTH_NAME` into ``site_packages`` (default: this interpreter's) and return its path."""
    target = os.path.join(site_packages or _site_packages(), PTH_NAME)
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(pth_line())
    return target


def uninstall(site_packages: str = None) -> str:
    """Remove :data:`PTH_NAME` from ``site_packages`` (default: this interpreter's), if there; return its path."""
    target = os.path.join(site_packages or _site_packages(), PTH_NAME)
    if os.path.exists(target):
        os.remove(target)
    return target


def main(argv) -> int:
    if argv == ["install"]:
        print(f"wrote {install()}")
    elif argv == ["uninstall"]:
        print(f"removed {uninstall()}")
    else:
        print("usage: python -m glyce_allennlp.patches.nltk_downloads install|uninstall", file=sys.stderr)
        return 2
    return 0


if __name__ == _STARTUP_NAME:
    install_finder()
elif __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
