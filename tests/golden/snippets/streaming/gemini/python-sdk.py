# pip install google-genai; needs COMETAPI_KEY in the environment.
import os

from google import genai

client = genai.Client(
    api_key=os.environ["COMETAPI_KEY"],
    http_options={"base_url": "https://api.cometapi.com", "api_version": "v1beta"},
)

for chunk in client.models.generate_content_stream(
    model="gemini-2.5-flash",
    contents=[{"role": "user", "parts": [{"text": "Write a haiku about rivers."}]}],
):
    print(chunk.text or "", end="", flush=True)
print()
