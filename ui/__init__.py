"""Streamlit pieces the pages share. Logic that needs no Streamlit lives in ``comet``.

- ``editor/``: one request editor (value, callbacks, JSON box, stale-echo protection) for
  Playground, Compare and Batch, and the Playground's Form tab
- ``run/``: one run in the page: ``live`` (the stream as it arrives), ``finished`` (a finished
  run and any error), ``runner`` (send, record, keep the last run)
- ``connection`` (sidebar, cached client, emulator, model list), ``history_store`` (the store
  the pages share), ``code`` (snippet tabs), ``layout``, ``shell``
- one module per page's view: ``compare_view``, ``batch_view``, ``history_table``,
  ``run_details``, ``run_diff``, ``sharing``, ``presets_view``, ``importer``,
  ``function_answers``, ``token_count``, ``setup_check``
"""
