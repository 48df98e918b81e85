# pip install httpx2; needs COMETAPI_KEY in the environment.
import base64
import os
from pathlib import Path

import httpx2

cat_png_b64 = base64.b64encode(Path("cat.png").read_bytes()).decode()
url = "https://api.cometapi.com/v1/chat/completions"
headers = {
    "Content-Type": "application/json",
    "Authorization": f"Bearer {os.environ['COMETAPI_KEY']}",
}
body = {
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "A lighthouse in the style of this cat"},
                {
                    "type": "image_url",
                    "image_url": {"url": "data:image/png;base64," + cat_png_b64},
                },
            ],
        },
        {"role": "assistant", "content": "Here it is."},
        {"role": "user", "content": "Make the sky purple"},
    ],
    "model": "gemini-3.1-flash-image-preview",
}

response = httpx2.post(url, headers=headers, json=body, timeout=120)
if response.is_error:
    raise SystemExit(f"HTTP {response.status_code}: {response.text}")
print(response.json()["choices"][0]["message"]["content"])
