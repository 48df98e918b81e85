# pip install openai; needs COMETAPI_KEY in the environment.
import os

from openai import OpenAI

client = OpenAI(api_key=os.environ["COMETAPI_KEY"], base_url="https://api.cometapi.com/v1")

completion = client.chat.completions.create(
    model="gemini-2.5-flash",
    messages=[
        {"role": "system", "content": "You are a terse geographer."},
        {"role": "user", "content": "Name three rivers."},
    ],
    temperature=0.2,
    top_p=0.9,
    max_tokens=256,
    stop=["END"],
    seed=7,
)
print(completion.choices[0].message.content)
