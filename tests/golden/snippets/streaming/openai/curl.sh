# Needs COMETAPI_KEY in the environment.
curl -sS -N 'https://api.cometapi.com/v1/chat/completions' \
  -H 'Content-Type: application/json' \
  -H 'Accept: text/event-stream' \
  -H "Authorization: Bearer $COMETAPI_KEY" \
  --data-binary @- <<'JSON'
{
  "messages": [{"role": "user", "content": "Write a haiku about rivers."}],
  "stream_options": {"include_usage": true},
  "model": "gemini-2.5-flash",
  "stream": true
}
JSON
