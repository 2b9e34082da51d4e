using MobileViT.Inference.Batching;
using MobileViT.Inference.Classification;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models;
using MobileViT.Inference.Telemetry;
using MobileViT.Service.Hosting;

namespace MobileViT.Service.KServe;

/// <summary>
/// Validates a V2 inference request and runs it: each sample of a <c>pixel_values</c> FP32 [N,3,H,W] tensor, or each
/// encoded image of an <c>image</c> BYTES [N] tensor, goes through the model's batcher on its own; the logits come
/// back as one [N, classes] tensor. Shared by the gRPC and REST forms of the protocol.
/// </summary>
public sealed class V2InferenceRunner(ImageClassifier classifier, MobileViTOptions options, InferenceMetrics metrics)
{
    public async Task<V2InferenceOutput> InferAsync(ServedModel model, IReadOnlyList<V2InputTensor> inputs, IReadOnlyList<string> requestedOutputs,
        InferenceCallOptions call, CancellationToken cancellationToken)
    {
        var signature = model.Signature;
        foreach (var output in requestedOutputs)
        {
            if (output != signature.OutputName)
                throw new InvalidRequestException($"Model '{model.Name}' has one output, '{signature.OutputName}'; '{output}' was requested.");
        }
        if (inputs.Count != 1)
        {
            throw new InvalidRequestException($"Send exactly one input: '{signature.InputName}' {V2ModelMetadata.Fp32} " +
                $"[N,{signature.Channels},{signature.Height},{signature.Width}] or '{V2ModelMetadata.ImageInputName}' {V2ModelMetadata.BytesType} [N]; got {inputs.Count}.");
        }

        var input = inputs[0];
        Task<InferenceResult>[] samples;
        if (input.Name == signature.InputName)
        {
            var pixels = ValidatePixels(model, input);
            metrics.RecordBytesReceived(model.Name, call.Protocol, (long)pixels.Length * sizeof(float));
            var length = signature.SampleLength;
            samples = Enumerable.Range(0, pixels.Length / length)
                .Select(i => model.Batcher.InferAsync(pixels.Slice(i * length, length), call, cancellationToken))
                .ToArray();
        }
        else if (input.Name == V2ModelMetadata.ImageInputName)
        {
            ValidateImages(input);
            samples = input.Bytes
                .Select(image => Task.Run(async () => (await classifier.ClassifyAsync(model, image, 1, call, cancellationToken)).Inference, cancellationToken))
                .ToArray();
        }
        else
        {
            throw new InvalidRequestException($"Unknown input '{input.Name}'; model '{model.Name}' takes '{signature.InputName}' or '{V2ModelMetadata.ImageInputName}'.");
        }

        var results = await Task.WhenAll(samples);
        var logits = new float[results.Length * signature.ClassCount];
        for (var i = 0; i < results.Length; i++)
            results[i].Logits.CopyTo(logits, i * signature.ClassCount);
        return new V2InferenceOutput(signature.OutputName, results.Length, signature.ClassCount, logits, results.Max(r => r.BatchSize));
    }

    private ReadOnlyMemory<float> ValidatePixels(ServedModel model, V2InputTensor input)
    {
        var s = model.Signature;
        var expected = $"{V2ModelMetadata.Fp32} [N,{s.Channels},{s.Height},{s.Width}]";
        if (input.Datatype != V2ModelMetadata.Fp32)
            throw new InvalidRequestException($"Input '{input.Name}' must be {expected}; its datatype is {input.Datatype}.");
        var shape = input.Shape;
        if (shape.Count != 4 || shape[1] != s.Channels || shape[2] != s.Height || shape[3] != s.Width)
            throw new InvalidRequestException($"Input '{input.Name}' must be {expected}; its shape is [{string.Join(",", shape)}].");
        CheckBatch(input.Name, shape[0]);
        var count = shape[0] * s.SampleLength;
        if (input.Fp32.Length != count)
            throw new InvalidRequestException($"Input '{input.Name}' of shape [{string.Join(",", shape)}] needs {count} values; it has {input.Fp32.Length}.");
        return input.Fp32;
    }

    private void ValidateImages(V2InputTensor input)
    {
        const string expected = $"{V2ModelMetadata.BytesType} [N] (one encoded image per element)";
        if (input.Datatype != V2ModelMetadata.BytesType)
            throw new InvalidRequestException($"Input '{input.Name}' must be {expected}; its datatype is {input.Datatype}.");
        if (input.Shape.Count is < 1 or > 2 || (input.Shape.Count == 2 && input.Shape[1] != 1))
            throw new InvalidRequestException($"Input '{input.Name}' must be {expected}; its shape is [{string.Join(",", input.Shape)}].");
        CheckBatch(input.Name, input.Shape[0]);
        if (input.Bytes.Count != input.Shape[0])
            throw new InvalidRequestException($"Input '{input.Name}' of shape [{string.Join(",", input.Shape)}] needs {input.Shape[0]} elements; it has {input.Bytes.Count}.");
    }

    private void CheckBatch(string name, long n)
    {
        var max = options.Limits.MaxImagesPerRequest;
        if (n < 1 || n > max)
            throw new InvalidRequestException($"Input '{name}' has batch dimension {n}; it must be between 1 and {max} (MobileViT__Limits__MaxImagesPerRequest).");
    }
}
