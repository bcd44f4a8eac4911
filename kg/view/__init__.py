"""The interactive HTML map (``kg.view.map``) and the headless-Chromium helper (``kg.view.browser``).

``kg.view.map`` is the entry point; it draws with ``selection`` (which nodes),
``layout`` (where), ``details`` (what the page says about each node) and
``page`` (the self-contained HTML).

Import the submodules directly; this package imports nothing heavy so that the
command line stays quick when no map is written.
"""
