# pip install google-genai; needs COMETAPI_KEY in the environment.
import os
from pathlib import Path

from google import genai

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
print(response.text)
