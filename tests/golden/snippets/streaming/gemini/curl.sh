# Needs COMETAPI_KEY in the environment.
curl -sS -N 'https://api.cometapi.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse' \
  -H 'Content-Type: application/json' \
  -H 'Accept: text/event-stream' \
  -H "x-goog-api-key: $COMETAPI_KEY" \
  --data-binary @- <<'JSON'
{
  "contents": [
    {"role": "user", "parts": [{"text": "Write a haiku about rivers."}]}
  ]
}
JSON
