# Needs COMETAPI_KEY in the environment.
curl -sS 'https://api.cometapi.com/v1/chat/completions' \
  -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $COMETAPI_KEY" \
  --data-binary @- <<'JSON'
{
  "messages": [
    {"role": "user", "content": "My name is Ada."},
    {"role": "assistant", "content": "Nice to meet you, Ada."},
    {"role": "user", "content": "What is my name?"}
  ],
  "model": "gemini-2.5-flash"
}
JSON
