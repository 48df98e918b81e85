"""What a snippet adds when the reply may hold images: a helper that writes them to files.

An image model (or a body whose ``responseModalities`` asks for ``IMAGE``) answers on the Gemini
route with ``inlineData`` parts. The Python and Node snippets then write each final image as
``image-1.png``, ``image-2.png``, ... in the folder they run in, never over a file already there
(a thought image, an image model's draft, is left out, as the reply leaves it out), say so on
stderr, and print the text as before. curl prints the whole response body, images included.
"""

from __future__ import annotations

from typing import Any

from comet.core.call import Call, Route
from comet.core.capabilities import image_spec

PYTHON = '''
def save_images(response):
    """Write the images in a response or a stream chunk as image-1.png, image-2.png, ..."""
    for candidate in response.get("candidates", []):
        if candidate.get("index", 0) == 0:
            for part in candidate.get("content", {}).get("parts", []):
                blob = part.get("inlineData")
                if blob and not part.get("thought"):  # a thought image is a draft
                    path = free_path(blob["mimeType"])
                    path.write_bytes(base64.b64decode(blob["data"]))
                    print(f"saved {path}", file=sys.stderr)
'''

PYTHON_SDK = '''
def save_images(response):
    """Write the images in a response or a stream chunk as image-1.png, image-2.png, ..."""
    content = response.candidates[0].content if response.candidates else None
    for part in (content.parts if content else None) or []:
        if part.inline_data and not part.thought:  # a thought image is a draft
            path = free_path(part.inline_data.mime_type)
            path.write_bytes(part.inline_data.data)
            print(f"saved {path}", file=sys.stderr)
'''

PYTHON_FREE = '''
def free_path(mime_type):
    """The first of image-1.png, image-2.png, ... not taken yet: no file is written over."""
    extension, n = mime_type.split("/")[-1], 1
    while Path(f"image-{n}.{extension}").exists():
        n += 1
    return Path(f"image-{n}.{extension}")
'''

JS = '''
function freePath(mimeType) {
  // The first of image-1.png, image-2.png, ... not taken yet: no file is written over.
  const extension = mimeType.split("/").pop();
  let n = 1;
  while (existsSync(`image-${n}.${extension}`)) n += 1;
  return `image-${n}.${extension}`;
}

function saveImages(response) {
  // Write the images in a response or a stream chunk as image-1.png, image-2.png, ...
  for (const part of response.candidates?.[0]?.content?.parts ?? []) {
    if (part.inlineData && !part.thought) { // a thought image is a draft
      const path = freePath(part.inlineData.mimeType);
      writeFileSync(path, Buffer.from(part.inlineData.data, "base64"));
      console.error(`saved ${path}`);
    }
  }
}
'''


def makes_images(call: Call) -> bool:
    """Whether the reply may hold images: the Gemini route, and ``responseModalities`` naming
    ``IMAGE`` (or, without it, an image model)."""
    if call.route is not Route.GEMINI or not isinstance(call.body, dict):
        return False
    config: Any = call.body.get("generationConfig", call.body.get("generation_config"))
    modalities = config.get("responseModalities", config.get("response_modalities")) \
        if isinstance(config, dict) else None
    if isinstance(modalities, list):
        return any(isinstance(m, str) and m.upper() == "IMAGE" for m in modalities)
    return image_spec(call.model) is not None


def python(*, sdk: bool) -> str:
    """The Python helpers that save the images: for raw JSON, or google-genai's response objects."""
    return PYTHON_FREE.strip("\n") + "\n\n\n" + (PYTHON_SDK if sdk else PYTHON).strip("\n") + "\n"


def node_fs(reads: bool, writes: bool) -> str:
    """The ``node:fs`` import line a Node snippet needs, after a newline ("" for none)."""
    names = ["existsSync"] * writes + ["readFileSync"] * reads + ["writeFileSync"] * writes
    return f'\nimport {{ {", ".join(names)} }} from "node:fs";' if names else ""
