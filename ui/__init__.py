"""Streamlit pieces shared by the pages: ``connection`` (sidebar, cached client, emulator and
model list), ``editor`` (the Playground's Form and JSON tabs), ``reply`` (streaming pane and the
finished-run view), ``code`` (snippet tabs) and ``runs`` (send, record, keep the last run).
Logic that needs no Streamlit lives in ``comet`` (``comet.body.form``, ``comet.store.drafts``)."""
