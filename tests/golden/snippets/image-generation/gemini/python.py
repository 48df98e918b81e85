# pip install httpx2; needs COMETAPI_KEY in the environment.
import base64
import os
import sys
from pathlib import Path

import httpx2


def text_of(response):
    """The answer in a response or a stream chunk (thought summaries left out)."""
    for candidate in response.get("candidates", []):
        if candidate.get("index", 0) == 0:
            parts = candidate.get("content", {}).get("parts", [])
            return "".join(part.get("text", "") for part in parts if not part.get("thought"))
    return ""


def free_path(mime_type):
    """The first of image-1.png, image-2.png, ... not taken yet: no file is written over."""
    extension, n = mime_type.split("/")[-1], 1
    while Path(f"image-{n}.{extension}").exists():
        n += 1
    return Path(f"image-{n}.{extension}")


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


cat_png_b64 = base64.b64encode(Path("cat.png").read_bytes()).decode()
reply_image_1_png_b64 = base64.b64encode(Path("reply-image-1.png").read_bytes()).decode()
url = "https://api.cometapi.com/v1beta/models/gemini-3.1-flash-image-preview:generateContent"
headers = {
    "Content-Type": "application/json",
    "x-goog-api-key": os.environ["COMETAPI_KEY"],
}
body = {
    "contents": [
        {
            "role": "user",
            "parts": [
                {"text": "A lighthouse in the style of this cat"},
                {"inlineData": {"mimeType": "image/png", "data": cat_png_b64}},
            ],
        },
        {
            "role": "model",
            "parts": [
                {"text": "Here it is."},
                {
                    "inlineData": {
                        "mimeType": "image/png",
                        "data": reply_image_1_png_b64,
                    },
                    "thoughtSignature": "c2lnbmF0dXJl",
                },
            ],
        },
        {"role": "user", "parts": [{"text": "Make the sky purple"}]},
    ],
    "generationConfig": {
        "responseModalities": ["TEXT", "IMAGE"],
        "imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"},
    },
}

response = httpx2.post(url, headers=headers, json=body, timeout=120)
if response.is_error:
    raise SystemExit(f"HTTP {response.status_code}: {response.text}")
reply = response.json()
save_images(reply)
print(text_of(reply))
