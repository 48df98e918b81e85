// Node 18+, no packages; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs

function textOf(response) {
  // The answer in a response or a stream chunk (thought summaries left out).
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts.filter((part) => !part.thought).map((part) => part.text ?? "").join("");
}

const url = "https://api.cometapi.com/v1beta/models/gemini-2.5-flash:generateContent";
const headers = {
  "Content-Type": "application/json",
  "x-goog-api-key": process.env.COMETAPI_KEY,
};
const body = {
  contents: [
    {
      role: "user",
      parts: [
        {
          text: "Quotes \" ' `backticks` $HOME ${PATH} $(rm -rf /) %s %d \\ \\n \\\\ back\\slash\nTab\there, new\nline, CR\r, bell\u0007, NUL-free, \u2028 line sep \u2029 para sep\nEOF\nJSON\n'JSON'\n</script><!-- ! !! -->\nEmoji 😀👍🏽👨\u200d👩\u200d👧, RTL: مرحبا بالعالم, שלום, bidi \u202eevil\u202c, zero\u200bwidth, café, 日本語",
        },
      ],
    },
  ],
  systemInstruction: {
    parts: [
      {
        text: "Reply with \"OK\" and 'OK' — then `$(whoami)` literally; 100% sure\\?",
      },
    ],
  },
};

const response = await fetch(url, {
  method: "POST",
  headers,
  body: JSON.stringify(body),
});
if (!response.ok) {
  throw new Error(`HTTP ${response.status}: ${await response.text()}`);
}
console.log(textOf(await response.json()));
