// npm install @google/genai; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import { GoogleGenAI } from "@google/genai";

const ai = new GoogleGenAI({
  apiKey: process.env.COMETAPI_KEY,
  httpOptions: { baseUrl: "https://api.cometapi.com", apiVersion: "v1beta" },
});

const response = await ai.models.generateContent({
  model: "gemini-2.5-flash",
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
  config: {
    systemInstruction: {
      parts: [
        {
          text: "Reply with \"OK\" and 'OK' — then `$(whoami)` literally; 100% sure\\?",
        },
      ],
    },
  },
});
console.log(response.text);
