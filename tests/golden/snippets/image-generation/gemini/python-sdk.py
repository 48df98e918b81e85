# pip install google-genai; needs COMETAPI_KEY in the environment.
import os
import sys
from pathlib import Path

from google import genai


def free_path(mime_type):
    """The first of image-1.png, image-2.png, ... not taken yet: no file is written over."""
    extension, n = mime_type.split("/")[-1], 1
    while Path(f"image-{n}.{extension}").exists():
        n += 1
    return Path(f"image-{n}.{extension}")


def save_images(response):
    """Write the images in a response or a stream chunk as image-1.png, image-2.png, ..."""
    content = response.candidates[0].content if response.candidates else None
    for part in (content.parts if content else None) or []:
        if part.inline_data and not part.thought:  # a thought image is a draft
            path = free_path(part.inline_data.mime_type)
            path.write_bytes(part.inline_data.data)
            print(f"saved {path}", file=sys.stderr)


client = genai.Client(
    api_key=os.environ["COMETAPI_KEY"],
    http_options={"base_url": "https://api.cometapi.com", "api_version": "v1beta"},
)

cat_png_bytes = Path("cat.png").read_bytes()
reply_image_1_png_bytes = Path("reply-image-1.png").read_bytes()
response = client.models.generate_content(
    model="gemini-3.1-flash-image-preview",
    contents=[
        {
            "role": "user",
            "parts": [
                {"text": "A lighthouse in the style of this cat"},
                {"inline_data": {"mime_type": "image/png", "data": cat_png_bytes}},
            ],
        },
        {
            "role": "model",
            "parts": [
                {"text": "Here it is."},
                {
                    "inline_data": {
                        "mime_type": "image/png",
                        "data": reply_image_1_png_bytes,
                    },
                    "thought_signature": "c2lnbmF0dXJl",
                },
            ],
        },
        {"role": "user", "parts": [{"text": "Make the sky purple"}]},
    ],
    config={
        "response_modalities": ["TEXT", "IMAGE"],
        "image_config": {"aspect_ratio": "16:9", "image_size": "2K"},
    },
)
save_images(response)
print(response.text)
