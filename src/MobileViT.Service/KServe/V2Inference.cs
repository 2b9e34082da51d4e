using MobileViT.Inference.Models;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.KServe;

/// <summary>
/// Translates a V2 inference request to the inference core and back, for both the gRPC and REST forms: the one input
/// is either the model's FP32 pixel tensor [N,3,H,W] or the BYTES tensor <c>image</c> [N] of encoded images; the one
/// output is the logits, [N, classes], or with the classification extension the top N of each row as BYTES [N, count].
/// The protocol has no per-sample error, so a request one of whose images fails fails as a whole, naming the element:
/// its other images still run (they are queued side by side with it), their results are discarded, and the error is
/// the failed element's (e.g. 400 naming "Element 1"). Nothing partial is ever returned.
/// </summary>
internal static class V2Inference
{
    /// <summary>The request parameter that carries Triton's priority level: 1 is highest (high), 2 normal, 3 and above low, 0 the default.</summary>
    public const string PriorityParameter = "priority";

    /// <summary>Longer timeouts are cut to a day: far beyond any request, and safe to add to a clock reading.</summary>
    private const long MaxTimeoutMicroseconds = 86_400_000_000;

    /// <summary>
    /// Triton's <c>parameters.timeout</c> (microseconds) as a timeout, for any 64-bit value: zero or negative (down to
    /// -2^63) becomes zero, which the core refuses as not positive (400, counted); longer than a day is cut to a day.
    /// </summary>
    public static TimeSpan? Timeout(long? microseconds) => microseconds switch
    {
        null => null,
        <= 0 => TimeSpan.Zero,
        { } us => TimeSpan.FromMicroseconds(Math.Min(us, MaxTimeoutMicroseconds)),
    };

    /// <summary>Triton's <c>parameters.priority</c>, when given, as a priority.</summary>
    public static RequestPriority Priority(long? level) => level is { } l ? RequestPriorities.FromLevel(l, "parameters.priority") : RequestPriority.Normal;

    public static InferenceInput ToInput(ServedModel model, IReadOnlyList<V2InputTensor> inputs, IReadOnlyList<V2RequestedOutput> requestedOutputs)
    {
        var signature = model.Signature;
        foreach (var output in requestedOutputs)
        {
            if (output.Name != signature.OutputName)
                throw new InvalidRequestException($"Model '{model.Name}' has one output, '{signature.OutputName}'; '{ClientText.Excerpt(output.Name)}' was requested.", ErrorCodes.InvalidTensor);
            if (output.Classification is { } count && (count < 1 || count > signature.ClassCount))
                throw new InvalidRequestException($"Output '{ClientText.Excerpt(output.Name)}': 'classification' must be between 1 and {signature.ClassCount} (was {count}).", ErrorCodes.BadClassification);
        }
        if (inputs.Count != 1)
        {
            throw new InvalidRequestException($"Send exactly one input: '{signature.InputName}' {V2ModelMetadata.Fp32} " +
                $"[N,{signature.Channels},{signature.Height},{signature.Width}] or '{V2ModelMetadata.ImageInputName}' {V2ModelMetadata.BytesType} [N]; got {inputs.Count}.",
                ErrorCodes.InvalidTensor);
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
                throw new InvalidRequestException($"Input '{input.Name}' must be {V2ModelMetadata.BytesType} {expected}; its shape is {ClientText.Shape(input.Shape)}.", ErrorCodes.InvalidTensor);
            if (input.Bytes.Count != input.Shape[0])
                throw new InvalidRequestException($"Input '{input.Name}' of shape {ClientText.Shape(input.Shape)} needs {input.Shape[0]} elements; it has {input.Bytes.Count}.", ErrorCodes.InvalidTensor);
            return new InferenceInput.EncodedImages(input.Bytes);
        }
        throw new InvalidRequestException($"Unknown input '{ClientText.Excerpt(input.Name)}'; model '{model.Name}' takes '{signature.InputName}' or '{V2ModelMetadata.ImageInputName}'.", ErrorCodes.InvalidTensor);
    }

    private static void RequireDatatype(V2InputTensor input, string datatype, string shape)
    {
        if (input.Datatype != datatype)
            throw new InvalidRequestException($"Input '{input.Name}' must be {datatype} {shape}; its datatype is {ClientText.Excerpt(input.Datatype)}.", ErrorCodes.InvalidTensor);
    }

    /// <summary>
    /// The requested outputs (the logits when none was named), built from every sample's logits; throws the first
    /// failed sample's error, naming it.
    /// </summary>
    public static V2InferenceOutput ToOutput(InferenceResponse response, IReadOnlyList<V2RequestedOutput> requested)
    {
        var signature = response.Model.Signature;
        var classes = signature.ClassCount;
        var batch = response.Samples.Count;
        var logits = new float[batch * classes];
        for (var i = 0; i < batch; i++)
        {
            if (response.Samples[i].Error is { } error)
                throw new InferenceException(error.Kind, $"Element {i} of the batch failed: {error.Message}", error.Code, error.RetryAfter, error);
            response.Samples[i].Inference!.Logits.CopyTo(logits, i * classes);
        }
        var outputs = (requested.Count > 0 ? requested : [new V2RequestedOutput(signature.OutputName)]).Select(output =>
        {
            if (output.Classification is not { } count)
                return new V2OutputTensor(output.Name, V2ModelMetadata.Fp32, [batch, classes], logits, null, output.Binary);
            var strings = new List<string>(batch * count);
            for (var i = 0; i < batch; i++)
                strings.AddRange(V2Classification.Of(logits.AsSpan(i * classes, classes), response.Model.Labels, count));
            return new V2OutputTensor(output.Name, V2ModelMetadata.BytesType, [batch, count], null, strings, output.Binary);
        }).ToList();
        return new V2InferenceOutput(outputs, response.LargestBatch);
    }
}
