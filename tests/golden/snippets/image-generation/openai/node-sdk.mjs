// npm install openai; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import { readFileSync } from "node:fs";
import OpenAI from "openai";

const client = new OpenAI({
  apiKey: process.env.COMETAPI_KEY,
  baseURL: "https://api.cometapi.com/v1",
});

const catPngBase64 = readFileSync("cat.png", "base64");
const completion = await client.chat.completions.create({
  model: "gemini-3.1-flash-image-preview",
  messages: [
    {
      role: "user",
      content: [
        { type: "text", text: "A lighthouse in the style of this cat" },
        {
          type: "image_url",
          image_url: { url: "data:image/png;base64," + catPngBase64 },
        },
      ],
    },
    { role: "assistant", content: "Here it is." },
    { role: "user", content: "Make the sky purple" },
  ],
});
console.log(completion.choices[0].message.content);
