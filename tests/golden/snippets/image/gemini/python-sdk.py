# pip install google-genai; needs COMETAPI_KEY in the environment.
import os
from pathlib import Path

from google import genai

client = genai.Client(
    api_key=os.environ["COMETAPI_KEY"],
    http_options={"base_url": "https://api.cometapi.com", "api_version": "v1beta"},
)

cat_png_bytes = Path("cat.png").read_bytes()
response = client.models.generate_content(
    model="gemini-2.5-flash",
    contents=[
        {
            "role": "user",
            "parts": [
                {"text": "What is in this picture?"},
                {"inline_data": {"mime_type": "image/png", "data": cat_png_bytes}},
            ],
        },
    ],
)
print(response.text)
