# Needs COMETAPI_KEY in the environment.
curl -sS 'https://api.cometapi.com/v1/chat/completions' \
  -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $COMETAPI_KEY" \
  --data-binary @- <<'JSON'
{
  "messages": [
    {"role": "system", "content": "You are a terse geographer."},
    {"role": "user", "content": "Name three rivers."}
  ],
  "temperature": 0.2,
  "top_p": 0.9,
  "max_tokens": 256,
  "stop": ["END"],
  "seed": 7,
  "model": "gemini-2.5-flash"
}
JSON
