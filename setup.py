"A setuptools shim: all metadata lives in pyproject.toml (so `python setup.py --version` and old tools keep working)."
from setuptools import setup

setup()
