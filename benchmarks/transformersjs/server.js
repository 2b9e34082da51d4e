// The peer the service is compared with: Hugging Face transformers.js (@huggingface/transformers on onnxruntime-node)
// serving a MobileViT model directory (config.json, preprocessor_config.json, onnx/model.onnx) over HTTP, as its
// documentation shows: pipeline('image-classification') with its defaults, one call per request.
//
//   node server.js --model DIR [--port 5420] [--name bench]
//
// POST /v1/models/NAME/classify (or /v1/classify) with a raw image body answers {"model", "predictions": [{label,
// score}]}, the same route and body as the service, so `mobilevit bench` drives both. GET /health answers 200 once
// the model is loaded.
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { env, pipeline, RawImage } from '@huggingface/transformers';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    port: { type: 'string', default: '5420' },
    name: { type: 'string', default: 'bench' },
  },
});
if (!values.model) {
  console.error('usage: node server.js --model DIR [--port 5420] [--name bench]');
  process.exit(2);
}

const directory = path.resolve(values.model);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(directory);
const classifier = await pipeline('image-classification', path.basename(directory), { device: 'cpu', dtype: 'fp32' });
const routes = new Set(['/v1/classify', `/v1/models/${values.name}/classify`]);

const server = http.createServer(async (request, response) => {
  const url = new URL(request.url, 'http://localhost');
  if (request.method === 'GET' && url.pathname === '/health') {
    response.writeHead(200).end('ok');
    return;
  }
  if (request.method !== 'POST' || !routes.has(url.pathname)) {
    response.writeHead(404).end();
    return;
  }
  try {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const image = await RawImage.fromBlob(new Blob([Buffer.concat(chunks)]));
    const topK = Number(url.searchParams.get('topK') ?? 5);
    const predictions = await classifier(image, { top_k: topK });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ model: values.name, predictions }));
  } catch (error) {
    response.writeHead(400, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: String(error?.message ?? error) }));
  }
});
server.listen(Number(values.port), '127.0.0.1', () => console.log(`transformers.js ${env.version} serving ${directory} on http://127.0.0.1:${values.port}`));
