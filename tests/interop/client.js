// Interop client: node client.js <host:port> <image file>. Calls Classify, ClassifyStream, ModelInfer (BYTES input)
// and grpc.health.v1.Health/Check, and prints one JSON line with what came back; exits non-zero on any failure.
'use strict';
const path = require('path');
const fs = require('fs');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { protoPath: healthProtoPath } = require('grpc-health-check');

const [address, imagePath] = process.argv.slice(2);
const protos = path.resolve(__dirname, '..', '..', 'protos');
const loadOptions = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [protos] };
const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(['mobilevit/v1/classifier.proto', 'inference/grpc_predict_v2.proto'], loadOptions));
const health = grpc.loadPackageDefinition(protoLoader.loadSync(healthProtoPath, loadOptions));

const credentials = grpc.credentials.createInsecure();
const classifier = new loaded.mobilevit.v1.Classifier(address, credentials);
const inference = new loaded.inference.GRPCInferenceService(address, credentials);
const healthClient = new health.grpc.health.v1.Health(address, credentials);
const image = fs.readFileSync(imagePath);
const deadline = () => new Date(Date.now() + 60000);

const unary = (client, method, request) => new Promise((resolve, reject) =>
  client[method](request, { deadline: deadline() }, (error, response) => (error ? reject(error) : resolve(response))));

function classifyStream(count) {
  return new Promise((resolve, reject) => {
    const call = classifier.ClassifyStream({ deadline: deadline() });
    const results = [];
    call.on('data', (response) => results.push({ id: response.id, outcome: response.outcome,
      batchSize: response.result ? response.result.timing.batch_size : null, code: response.error ? response.error.code : null }));
    call.on('error', reject);
    call.on('end', () => resolve(results));
    for (let i = 0; i < count; i++) call.write({ id: `node-${i}`, image, top_k: 1 });
    call.write({ id: 'node-bad', image: Buffer.from('not an image') });
    call.end();
  });
}

(async () => {
  const classify = await unary(classifier, 'Classify', { image, top_k: 3 });
  const stream = await classifyStream(40);
  const infer = await unary(inference, 'ModelInfer', {
    model_name: classify.model, id: 'node-infer',
    inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], contents: { bytes_contents: [image] } }],
  });
  const check = await unary(healthClient, 'Check', { service: '' });
  console.log(JSON.stringify({
    classify: { model: classify.model, synthetic: classify.synthetic, predictions: classify.predictions.map((p) => p.index) },
    stream,
    infer: { id: infer.id, name: infer.outputs[0].name, shape: infer.outputs[0].shape, values: infer.outputs[0].contents.fp32_contents.length },
    health: check.status,
  }));
})().catch((error) => {
  console.error(`interop failure: ${error.code ?? ''} ${error.message}`);
  process.exit(1);
});
