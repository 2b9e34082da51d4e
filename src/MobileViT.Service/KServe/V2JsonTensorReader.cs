using System.Text.Json;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Limits;
using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>
/// Makes a REST V2 JSON input's tensor from its <c>data</c> (flat or nested): FP32 numbers, or BYTES base64 strings
/// (encoded images). The shape is checked first and the values counted before anything is allocated; what is
/// allocated is reserved on the request's lease first.
/// </summary>
internal static class V2JsonTensorReader
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    public static V2InputTensor Read(V2DeclaredInput input, ReadOnlySpan<byte> json, ImageLimitsOptions limits, RequestMemoryLease lease)
    {
        if (string.IsNullOrEmpty(input.Name) || string.IsNullOrEmpty(input.Datatype) || input.Shape is null)
            throw new InvalidRequestException("Every input needs 'name', 'shape', 'datatype' and 'data'.", ErrorCodes.InvalidTensor);
        var name = ClientText.Excerpt(input.Name);
        if (input.Data is not { } range || json[range] is not [(byte)'[', ..] data)
            throw new InvalidRequestException($"Input '{name}' needs 'data' as an array.", ErrorCodes.InvalidTensor);

        if (input.Datatype == V2ModelMetadata.BytesType)
        {
            var expected = V2TensorShape.ElementCount(input.Name, input.Shape, limits.MaxImagesPerRequest);
            return new V2InputTensor(input.Name, input.Datatype, input.Shape, default, ReadImages(name, data, expected, limits, lease));
        }

        // Each number takes at least two bytes of JSON ("0,"), so the count below can never exceed the data's length.
        var count = V2TensorShape.ElementCount(input.Name, input.Shape, data.Length);
        var found = CountNumbers(name, input.Datatype, data);
        if (found != count)
            throw new InvalidRequestException($"Input '{name}' of shape {ClientText.Shape(input.Shape)} needs {count} values; it has {found}.", ErrorCodes.InvalidTensor);
        lease.Reserve(count * sizeof(float));
        var values = GC.AllocateUninitializedArray<float>((int)count);
        var reader = new Utf8JsonReader(data, Options);
        var i = 0;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.Number)
                continue;
            if (!reader.TryGetSingle(out var value) || !float.IsFinite(value))
                throw new InvalidRequestException($"Input '{name}': value {i} is not a finite 32-bit float.", ErrorCodes.InvalidTensor);
            values[i++] = value;
        }
        return new V2InputTensor(input.Name, input.Datatype, input.Shape, values, []);
    }

    private static long CountNumbers(string name, string datatype, ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data, Options);
        long count = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Number:
                    count++;
                    break;
                case JsonTokenType.StartArray or JsonTokenType.EndArray:
                    break;
                default:
                    throw new InvalidRequestException($"Input '{name}' is {ClientText.Excerpt(datatype)}: each element must be a number.", ErrorCodes.InvalidTensor);
            }
        }
        return count;
    }

    private static List<ReadOnlyMemory<byte>> ReadImages(string name, ReadOnlySpan<byte> data, long expected, ImageLimitsOptions limits, RequestMemoryLease lease)
    {
        var elements = new List<ReadOnlyMemory<byte>>((int)expected);
        var reader = new Utf8JsonReader(data, Options);
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.EndArray)
                continue;
            if (reader.TokenType != JsonTokenType.String)
                throw new InvalidRequestException($"Input '{name}' is BYTES: each element must be a base64 string (an encoded image).", ErrorCodes.InvalidTensor);
            if (elements.Count == expected)
                throw new InvalidRequestException($"Input '{name}' has more elements than its shape declares ({expected}).", ErrorCodes.InvalidTensor);
            // Base64 decodes to at most 3/4 of its length: checked and reserved before decoding.
            var decoded = reader.ValueSpan.Length / 4 * 3 + 3;
            if (decoded - 3 > limits.MaxImageBytes)
            {
                throw new RequestTooLargeException(
                    $"Element {elements.Count} of input '{name}' is larger than the limit of {limits.MaxImageBytes} bytes per image (MobileViT__Limits__MaxImageBytes).");
            }
            lease.Reserve(decoded);
            if (!reader.TryGetBytesFromBase64(out var bytes))
                throw new InvalidRequestException($"Input '{name}' is BYTES: element {elements.Count} is not valid base64.", ErrorCodes.InvalidTensor);
            elements.Add(bytes);
        }
        if (elements.Count != expected)
            throw new InvalidRequestException($"Input '{name}' declares {expected} elements in its shape but has {elements.Count}.", ErrorCodes.InvalidTensor);
        return elements;
    }
}
