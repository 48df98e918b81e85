"""The prompt library in Chromium: save a prompt twice with messages, load version 1, see "modified"
after an edit, diff versions 1 and 2 (the JSON path and the word diff on the page), and move the
production label from one version to the other; the exported file holds both versions and the label."""

from __future__ import annotations

from browser_support import fill, open_playground, pick, skip_without_browser, wait_idle

playwright_api = skip_without_browser()
NAME = "browser capitals"


def click(page, key: str, then: str) -> None:
    page.locator(f".st-key-{key} button").first.click()
    page.get_by_text(then).first.wait_for()
    wait_idle(page)


def origin(page, expected: str) -> str:
    """The line that says where the request came from, once it says ``expected`` (an edit's rerun of
    the whole page may still be on its way), else as it is after 15 s."""
    line = page.locator(".st-key-pst_origin_line")
    for _ in range(60):
        shown = line.inner_text().strip() if line.count() else ""
        if shown == expected:
            break
        page.wait_for_timeout(250)
    return shown


def test_save_twice_load_v1_see_modified_diff_and_move_a_label(page, server):
    from comet.store import open_store

    open_playground(page, server.url)
    fill(page, "Prompt", "What is the capital of Peru?")
    page.get_by_text("Prompt library", exact=True).click()
    fill(page, "Message", "first try")
    fill(page, "Save as", NAME)
    click(page, "pst_save_as", f"Saved {NAME} v1. first try")
    assert origin(page, f"From {NAME} v1") == f"From {NAME} v1"

    fill(page, "Prompt", "Name the capital of Peru in one word.")
    assert origin(page, f"From {NAME} v1 · modified") == f"From {NAME} v1 · modified"
    fill(page, "Message", "terser")
    click(page, "pst_save", f"Saved {NAME} v2. terser")

    pick(page, "Version", "v1")
    wait_idle(page)
    click(page, "pst_load", f"Loaded {NAME} v1. first try")
    assert page.get_by_label("Prompt", exact=True).input_value() == "What is the capital of Peru?"
    assert origin(page, f"From {NAME} v1") == f"From {NAME} v1"
    fill(page, "Prompt", "What is the capital of Peru, please?")
    assert origin(page, f"From {NAME} v1 · modified") == f"From {NAME} v1 · modified"

    page.get_by_text("Diff two versions").click()
    wait_idle(page)
    shown = page.locator(".st-key-pst_diff")
    shown.wait_for()
    text = shown.inner_text()
    assert "$.body.contents[0].parts[0].text" in text and "changed" in text
    assert "What is" in text and "in one word." in text  # the word diff: v1's words struck, v2's added

    fill(page, "Label", "production")
    click(page, "pst_move", f"Moved “production” to v1 of {NAME}.")
    pick(page, "Version", "v2")
    wait_idle(page)
    click(page, "pst_move", f"Moved “production” from v1 to v2 of {NAME}.")
    with page.expect_download() as download:  # the whole library, made on the click
        page.locator(".st-key-pst_export button").first.click()
    from comet.store.prompts import loads

    (mine,) = [e for e in loads(download.value.path().read_bytes()) if e.name == NAME]
    assert [v.message for v in mine.versions] == ["first try", "terser"] and mine.labels == {"production": 2}
    with open_store(f"sqlite:///{server.history}") as store:
        assert store.prompt_labels(NAME) == {"production": 2}
        assert [(m.from_version, m.to_version) for m in store.label_moves(NAME, "production")] == [(None, 1), (1, 2)]
        assert [v.message for v in store.prompt_versions(NAME)] == ["first try", "terser"]
