// npm install openai; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import OpenAI from "openai";

const client = new OpenAI({
  apiKey: process.env.COMETAPI_KEY,
  baseURL: "https://api.cometapi.com/v1",
});

const completion = await client.chat.completions.create({
  model: "gemini-2.5-flash",
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
});
console.log(completion.choices[0].message.content);
