// npm install @google/genai; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import { GoogleGenAI } from "@google/genai";

const ai = new GoogleGenAI({
  apiKey: process.env.COMETAPI_KEY,
  httpOptions: { baseUrl: "https://api.cometapi.com", apiVersion: "v1beta" },
});

const stream = await ai.models.generateContentStream({
  model: "gemini-2.5-flash",
  contents: [
    { role: "user", parts: [{ text: "Write a haiku about rivers." }] },
  ],
});
for await (const chunk of stream) {
  process.stdout.write(chunk.text ?? "");
}
process.stdout.write("\n");
