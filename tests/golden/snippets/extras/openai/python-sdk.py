# pip install openai; needs COMETAPI_KEY in the environment.
import os

from openai import OpenAI

client = OpenAI(api_key=os.environ["COMETAPI_KEY"], base_url="https://api.cometapi.com/v1")

# extra_body carries the fields the SDK has no parameter for.
completion = client.chat.completions.create(
    model="gemini-2.5-flash",
    messages=[{"role": "user", "content": "Who won the 2022 World Cup?"}],
    reasoning_effort="low",
    extra_body={"google": {"thinking_config": {"include_thoughts": True}}},
)
print(completion.choices[0].message.content)
