"""glyce-allennlp: Glyce glyph vectors for Chinese as AllenNLP components.

``install_requires`` deliberately lists only what the AllenNLP-free glyph core needs. AllenNLP 2.10.1 and
allennlp-models 2.10.1 are required for the AllenNLP components but are NOT declared here: their own metadata pins
torch<1.13 (no build for Python 3.11), so pip could never resolve them. Install them with ``--no-deps`` over the
pinned stack in ``requirements/`` (see README, "Installing into an existing environment").
"""
from setuptools import find_packages, setup

setup(
    name="glyce-allennlp",
    version="0.1.0",
    description="Glyce glyph vectors for Chinese character representations, as AllenNLP components",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["glyce_allennlp", "glyce_allennlp.*"]),
    python_requires=">=3.10",
    install_requires=["torch", "numpy", "pillow", "tqdm", "opencc", "fonttools", "safetensors"],
    entry_points={"console_scripts": ["glyce-allennlp=glyce_allennlp.cli:main"]},
    include_package_data=True,
    package_data={"glyce_allennlp.glyph": ["fonts.tsv", "glyph_encoder_default.safetensors",
                                           "glyph_encoder_default.json"],
                  "glyce_allennlp.serve": ["static/*"]},
)
