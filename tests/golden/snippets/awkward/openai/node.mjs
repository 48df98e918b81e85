// Node 18+, no packages; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs

const url = "https://api.cometapi.com/v1/chat/completions";
const headers = {
  "Content-Type": "application/json",
  Authorization: `Bearer ${process.env.COMETAPI_KEY}`,
};
const body = {
  messages: [
    {
      role: "system",
      content: "Reply with \"OK\" and 'OK' — then `$(whoami)` literally; 100% sure\\?",
    },
    {
      role: "user",
      content: "Quotes \" ' `backticks` $HOME ${PATH} $(rm -rf /) %s %d \\ \\n \\\\ back\\slash\nTab\there, new\nline, CR\r, bell\u0007, NUL-free, \u2028 line sep \u2029 para sep\nEOF\nJSON\n'JSON'\n</script><!-- ! !! -->\nEmoji 😀👍🏽👨\u200d👩\u200d👧, RTL: مرحبا بالعالم, שלום, bidi \u202eevil\u202c, zero\u200bwidth, café, 日本語",
    },
  ],
  model: "gemini-2.5-flash",
};

const response = await fetch(url, {
  method: "POST",
  headers,
  body: JSON.stringify(body),
});
if (!response.ok) {
  throw new Error(`HTTP ${response.status}: ${await response.text()}`);
}
const data = await response.json();
console.log(data.choices[0].message.content);
