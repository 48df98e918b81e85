# pip install openai; needs COMETAPI_KEY in the environment.
import base64
import os
from pathlib import Path

from openai import OpenAI

client = OpenAI(api_key=os.environ["COMETAPI_KEY"], base_url="https://api.cometapi.com/v1")

cat_png_b64 = base64.b64encode(Path("cat.png").read_bytes()).decode()
completion = client.chat.completions.create(
    model="gemini-3.1-flash-image-preview",
    messages=[
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
)
print(completion.choices[0].message.content)
