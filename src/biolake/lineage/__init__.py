"""Lineage: which code (Transform) ran when (Run), with which inputs, producing which outputs.

``track()`` / ``finish()`` record scripts, notebooks and pipelines; ``@tracked()``
records functions; ``graph()`` builds lineage graphs that render as Mermaid, DOT or SVG.
"""
