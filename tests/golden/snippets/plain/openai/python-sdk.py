# pip install openai; needs COMETAPI_KEY in the environment.
import os

from openai import OpenAI

client = OpenAI(api_key=os.environ["COMETAPI_KEY"], base_url="https://api.cometapi.com/v1")

completion = client.chat.completions.create(
    model="gemini-2.5-flash",
    messages=[{"role": "user", "content": "Explain how AI works in a few words"}],
)
print(completion.choices[0].message.content)
