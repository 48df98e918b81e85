# pip install google-genai; needs COMETAPI_KEY in the environment.
import os

from google import genai

client = genai.Client(
    api_key=os.environ["COMETAPI_KEY"],
    http_options={"base_url": "https://api.cometapi.com", "api_version": "v1beta"},
)

response = client.models.generate_content(
    model="gemini-2.5-flash",
    contents=[{"role": "user", "parts": [{"text": "Name three rivers."}]}],
    config={
        "system_instruction": {"parts": [{"text": "You are a terse geographer."}]},
        "temperature": 0.2,
        "top_p": 0.9,
        "top_k": 40,
        "max_output_tokens": 256,
        "stop_sequences": ["END"],
        "thinking_config": {"thinking_budget": 0},
    },
)
print(response.text)
