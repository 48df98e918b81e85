// npm install @google/genai; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import { GoogleGenAI } from "@google/genai";

const ai = new GoogleGenAI({
  apiKey: process.env.COMETAPI_KEY,
  httpOptions: { baseUrl: "https://api.cometapi.com", apiVersion: "v1beta" },
});

const response = await ai.models.generateContent({
  model: "gemini-2.5-flash",
  contents: [{ role: "user", parts: [{ text: "Name three rivers." }] }],
  config: {
    systemInstruction: { parts: [{ text: "You are a terse geographer." }] },
    temperature: 0.2,
    topP: 0.9,
    topK: 40,
    maxOutputTokens: 256,
    stopSequences: ["END"],
    thinkingConfig: { thinkingBudget: 0 },
  },
});
console.log(response.text);
