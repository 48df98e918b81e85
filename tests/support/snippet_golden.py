"""Snippet scenarios and their golden files (tests/golden/snippets/SCENARIO/ROUTE/LANG.EXT).

Regenerate the golden files after an intended change, then review the diff:

    python -m tests.support.snippet_golden --update

Without ``--update`` it lists the files that differ and exits 1.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

from comet.core.call import Attachment, Call, Route
from comet.tools.snippets import EXTENSIONS, LANGS, render

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "snippets"
BASE_URL = "https://api.cometapi.com"
MODEL = "gemini-2.5-flash"



def _png(rgb: bytes = b"\xff\x80\x00") -> bytes:
    """A real 1x1 PNG, as a user would upload, so media checks on the way pass."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" + rgb)) + chunk(b"IEND", b""))


CAT = Attachment("cat.png", "image/png", _png())
# "Edit this image": the model's image goes back in its turn, as an attachment
REPLY_IMAGE = Attachment("reply-image-1.png", "image/png", _png(b"\x20\x40\xc0"))
IMAGE_MODEL = "gemini-3.1-flash-image-preview"
SCENARIO_MODELS = {"image-generation": IMAGE_MODEL}  # the scenarios not on MODEL

AWKWARD = ("Quotes \" ' `backticks` $HOME ${PATH} $(rm -rf /) %s %d \\ \\n \\\\ back\\slash\n"
           "Tab\there, new\nline, CR\r, bell\x07, NUL-free, \u2028 line sep \u2029 para sep\n"
           "EOF\nJSON\n'JSON'\n</script><!-- ! !! -->\n"
           "Emoji 😀👍🏽👨‍👩‍👧, RTL: مرحبا بالعالم, שלום, bidi \u202eevil\u202c, zero\u200bwidth, café, 日本語")
AWKWARD_SYSTEM = "Reply with \"OK\" and 'OK' — then `$(whoami)` literally; 100% sure\\?"


def _gemini(text: str, system: str | None = None, **body) -> dict:
    out: dict = {"contents": [{"role": "user", "parts": [{"text": text}]}]}
    if system is not None:
        out["systemInstruction"] = {"parts": [{"text": system}]}
    return {**out, **body}


def _openai(text: str, system: str | None = None, **body) -> dict:
    messages = ([{"role": "system", "content": system}] if system is not None else [])
    return {"messages": messages + [{"role": "user", "content": text}], **body}


# name -> {route: (body, stream, attachments)}
SCENARIOS: dict[str, dict[Route, tuple[dict, bool, tuple[Attachment, ...]]]] = {
    "plain": {
        Route.GEMINI: (_gemini("Explain how AI works in a few words"), False, ()),
        Route.OPENAI: (_openai("Explain how AI works in a few words"), False, ()),
    },
    "system-settings": {
        Route.GEMINI: (_gemini("Name three rivers.", "You are a terse geographer.", generationConfig={
            "temperature": 0.2, "topP": 0.9, "topK": 40, "maxOutputTokens": 256,
            "stopSequences": ["END"], "thinkingConfig": {"thinkingBudget": 0}}), False, ()),
        Route.OPENAI: (_openai("Name three rivers.", "You are a terse geographer.", temperature=0.2,
                               top_p=0.9, max_tokens=256, stop=["END"], seed=7), False, ()),
    },
    "conversation": {
        Route.GEMINI: ({"contents": [
            {"role": "user", "parts": [{"text": "My name is Ada."}]},
            {"role": "model", "parts": [{"text": "Nice to meet you, Ada."}]},
            {"role": "user", "parts": [{"text": "What is my name?"}]}]}, False, ()),
        Route.OPENAI: ({"messages": [
            {"role": "user", "content": "My name is Ada."},
            {"role": "assistant", "content": "Nice to meet you, Ada."},
            {"role": "user", "content": "What is my name?"}]}, False, ()),
    },
    "streaming": {
        Route.GEMINI: (_gemini("Write a haiku about rivers."), True, ()),
        Route.OPENAI: (_openai("Write a haiku about rivers.", stream_options={"include_usage": True}),
                       True, ()),
    },
    "awkward": {
        Route.GEMINI: (_gemini(AWKWARD, AWKWARD_SYSTEM), False, ()),
        Route.OPENAI: (_openai(AWKWARD, AWKWARD_SYSTEM), False, ()),
    },
    # Fields an SDK has no parameter for travel in its extra_body escape hatch.
    "extras": {
        Route.GEMINI: (_gemini("Who won the 2022 World Cup?",
                               tools=[{"googleSearch": {}}],
                               safetySettings=[{"category": "HARM_CATEGORY_HARASSMENT",
                                                "threshold": "BLOCK_ONLY_HIGH"}],
                               generationConfig={"temperature": 0.5, "enableAffectiveDialog": False}),
                       False, ()),
        Route.OPENAI: (_openai("Who won the 2022 World Cup?", reasoning_effort="low",
                               google={"thinking_config": {"include_thoughts": True}}), False, ()),
    },
    "image": {
        Route.GEMINI: ({"contents": [{"role": "user", "parts": [
            {"text": "What is in this picture?"},
            {"inlineData": {"mimeType": "image/png", "data": CAT.token}}]}]}, False, (CAT,)),
        Route.OPENAI: ({"messages": [{"role": "user", "content": [
            {"type": "text", "text": "What is in this picture?"},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{CAT.token}"}}]}]},
                       False, (CAT,)),
    },
    # an image model: text and image out, 16:9 at 2K, a reference image, then the reply's image
    # sent back as the model's turn with a new instruction (Edit this image)
    "image-generation": {
        Route.GEMINI: ({"contents": [
            {"role": "user", "parts": [{"text": "A lighthouse in the style of this cat"},
                                       {"inlineData": {"mimeType": "image/png", "data": CAT.token}}]},
            {"role": "model", "parts": [{"text": "Here it is."},
                                        {"inlineData": {"mimeType": "image/png", "data": REPLY_IMAGE.token},
                                         "thoughtSignature": "c2lnbmF0dXJl"}]},
            {"role": "user", "parts": [{"text": "Make the sky purple"}]}],
            "generationConfig": {"responseModalities": ["TEXT", "IMAGE"],
                                 "imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"}}},
            False, (CAT, REPLY_IMAGE)),
        Route.OPENAI: ({"messages": [
            {"role": "user", "content": [
                {"type": "text", "text": "A lighthouse in the style of this cat"},
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{CAT.token}"}}]},
            {"role": "assistant", "content": "Here it is."},
            {"role": "user", "content": "Make the sky purple"}]}, False, (CAT,)),
    },
}


def scenario_call(name: str, route: Route, *, stream: bool | None = None) -> Call:
    body, default_stream, attachments = SCENARIOS[name][route]
    return Call(route, SCENARIO_MODELS.get(name, MODEL), body, stream=default_stream if stream is None else stream,
                attachments=attachments)


def golden_path(name: str, route: Route, lang: str) -> Path:
    return GOLDEN / name / route.value / f"{lang}.{EXTENSIONS[lang]}"


def expected() -> dict[Path, str]:
    """Every golden file and the text it should hold."""
    out = {}
    for name, routes in SCENARIOS.items():
        for route in routes:
            for lang in LANGS:
                snippet = render(scenario_call(name, route), lang, base_url=BASE_URL)
                out[golden_path(name, route, lang)] = snippet.code
    return out


def main(argv: list[str]) -> int:
    update = "--update" in argv
    files = expected()
    stale = [p for p in sorted(GOLDEN.rglob("*.*")) if p not in files] if GOLDEN.exists() else []
    changed = [p for p, text in files.items()
               if not p.exists() or p.read_text(encoding="utf-8") != text]
    if update:
        for path in changed:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(files[path], encoding="utf-8")
        for path in stale:
            path.unlink()
        print(f"{len(changed)} golden file(s) written, {len(stale)} removed, {len(files)} in all")
        return 0
    for path in changed + stale:
        print(path.relative_to(GOLDEN))
    return 1 if changed or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
