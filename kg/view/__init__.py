"""The interactive HTML map (``kg.view.map``) and the headless-Chromium helper (``kg.view.browser``).

Import the submodules directly; this package imports nothing heavy so that the
command line stays quick when no map is written.
"""
