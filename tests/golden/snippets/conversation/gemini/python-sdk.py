# pip install google-genai; needs COMETAPI_KEY in the environment.
import os

from google import genai

client = genai.Client(
    api_key=os.environ["COMETAPI_KEY"],
    http_options={"base_url": "https://api.cometapi.com", "api_version": "v1beta"},
)

response = client.models.generate_content(
    model="gemini-2.5-flash",
    contents=[
        {"role": "user", "parts": [{"text": "My name is Ada."}]},
        {"role": "model", "parts": [{"text": "Nice to meet you, Ada."}]},
        {"role": "user", "parts": [{"text": "What is my name?"}]},
    ],
)
print(response.text)
