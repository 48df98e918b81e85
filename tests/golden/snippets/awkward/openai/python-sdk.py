# pip install openai; needs COMETAPI_KEY in the environment.
import os

from openai import OpenAI

client = OpenAI(api_key=os.environ["COMETAPI_KEY"], base_url="https://api.cometapi.com/v1")

completion = client.chat.completions.create(
    model="gemini-2.5-flash",
    messages=[
        {
            "role": "system",
            "content": "Reply with \"OK\" and 'OK' — then `$(whoami)` literally; 100% sure\\?",
        },
        {
            "role": "user",
            "content": "Quotes \" ' `backticks` $HOME ${PATH} $(rm -rf /) %s %d \\ \\n \\\\ back\\slash\nTab\there, new\nline, CR\r, bell\u0007, NUL-free, \u2028 line sep \u2029 para sep\nEOF\nJSON\n'JSON'\n</script><!-- ! !! -->\nEmoji 😀👍🏽👨\u200d👩\u200d👧, RTL: مرحبا بالعالم, שלום, bidi \u202eevil\u202c, zero\u200bwidth, café, 日本語",
        },
    ],
)
print(completion.choices[0].message.content)
