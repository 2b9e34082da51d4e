using MobileViT.Inference.Models;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.KServe;

/// <summary>
/// Translates a V2 inference request to the inference core and back, for both the gRPC and REST forms: the one input
/// is either the model's FP32 pixel tensor [N,3,H,W] or the BYTES tensor <c>image</c> [N] of encoded images; the one
/// output is the logits, [N, classes]. The protocol has no per-sample error, so a request one of whose images fails
/// fails as a whole, naming the element.
/// </summary>
public static class V2Inference
{
    public static InferenceRequest Request(string? model, string protocol, DateTimeOffset? deadline = null,
        RequestPriority priority = RequestPriority.Normal) => new()
    {
        Model = model,
        Protocol = protocol,
        Output = OutputKind.Logits,
        Deadline = deadline,
        Priority = priority,
    };

    /// <summary>The request parameter that carries Triton's priority level: 1 is highest (high), 2 normal, 3 and above low, 0 the default.</summary>
    public const string PriorityParameter = "priority";

    public static InferenceInput ToInput(ServedModel model, IReadOnlyList<V2InputTensor> inputs, IReadOnlyList<string> requestedOutputs)
    {
        var signature = model.Signature;
        foreach (var output in requestedOutputs)
        {
            if (output != signature.OutputName)
                throw new InvalidRequestException($"Model '{model.Name}' has one output, '{signature.OutputName}'; '{output}' was requested.", "invalid-tensor");
        }
        if (inputs.Count != 1)
        {
            throw new InvalidRequestException($"Send exactly one input: '{signature.InputName}' {V2ModelMetadata.Fp32} " +
                $"[N,{signature.Channels},{signature.Height},{signature.Width}] or '{V2ModelMetadata.ImageInputName}' {V2ModelMetadata.BytesType} [N]; got {inputs.Count}.",
                "invalid-tensor");
        }

        var input = inputs[0];
        if (input.Name == signature.InputName)
        {
            RequireDatatype(input, V2ModelMetadata.Fp32, $"[N,{signature.Channels},{signature.Height},{signature.Width}]");
            return new InferenceInput.PixelTensor(input.Name, input.Fp32, input.Shape);
        }
        if (input.Name == V2ModelMetadata.ImageInputName)
        {
            const string expected = "[N] (one encoded image per element)";
            RequireDatatype(input, V2ModelMetadata.BytesType, expected);
            if (input.Shape.Count is < 1 or > 2 || (input.Shape.Count == 2 && input.Shape[1] != 1))
                throw new InvalidRequestException($"Input '{input.Name}' must be {V2ModelMetadata.BytesType} {expected}; its shape is [{string.Join(",", input.Shape)}].", "invalid-tensor");
            if (input.Bytes.Count != input.Shape[0])
                throw new InvalidRequestException($"Input '{input.Name}' of shape [{string.Join(",", input.Shape)}] needs {input.Shape[0]} elements; it has {input.Bytes.Count}.", "invalid-tensor");
            return new InferenceInput.EncodedImages(input.Bytes);
        }
        throw new InvalidRequestException($"Unknown input '{input.Name}'; model '{model.Name}' takes '{signature.InputName}' or '{V2ModelMetadata.ImageInputName}'.", "invalid-tensor");
    }

    private static void RequireDatatype(V2InputTensor input, string datatype, string shape)
    {
        if (input.Datatype != datatype)
            throw new InvalidRequestException($"Input '{input.Name}' must be {datatype} {shape}; its datatype is {input.Datatype}.", "invalid-tensor");
    }

    /// <summary>The logits of every sample, row-major; throws the first failed sample's error, naming it.</summary>
    public static V2InferenceOutput ToOutput(InferenceResponse response)
    {
        var classes = response.Model.Signature.ClassCount;
        var logits = new float[response.Samples.Count * classes];
        for (var i = 0; i < response.Samples.Count; i++)
        {
            if (response.Samples[i].Error is { } error)
                throw new InferenceException(error.Kind, $"Element {i} of the batch failed: {error.Message}", error.Code, error.RetryAfter, error);
            response.Samples[i].Inference!.Logits.CopyTo(logits, i * classes);
        }
        return new V2InferenceOutput(response.Model.Signature.OutputName, response.Samples.Count, classes, logits, response.LargestBatch);
    }
}
