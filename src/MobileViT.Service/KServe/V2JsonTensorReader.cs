using System.Text.Json;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.KServe;

/// <summary>Turns a REST V2 JSON input into a <see cref="V2InputTensor"/>: flattens nested <c>data</c>, decodes BYTES from base64.</summary>
internal static class V2JsonTensorReader
{
    public static V2InputTensor Read(V2InputJson input)
    {
        if (string.IsNullOrEmpty(input.Name) || string.IsNullOrEmpty(input.Datatype) || input.Shape is null)
            throw new InvalidRequestException("Every input needs 'name', 'shape', 'datatype' and 'data'.", "invalid-tensor");
        if (input.Data.ValueKind != JsonValueKind.Array)
            throw new InvalidRequestException($"Input '{input.Name}' needs 'data' as an array.", "invalid-tensor");

        if (input.Datatype == V2ModelMetadata.BytesType)
        {
            var elements = new List<ReadOnlyMemory<byte>>();
            Flatten(input.Data, element =>
            {
                if (element.ValueKind != JsonValueKind.String || !element.TryGetBytesFromBase64(out var bytes))
                    throw new InvalidRequestException($"Input '{input.Name}' is BYTES: each element must be a base64 string (an encoded image).", "invalid-tensor");
                elements.Add(bytes);
            });
            return new V2InputTensor(input.Name, input.Datatype, input.Shape, default, elements);
        }

        var values = new List<float>();
        Flatten(input.Data, element =>
        {
            if (element.ValueKind != JsonValueKind.Number || !element.TryGetSingle(out var value))
                throw new InvalidRequestException($"Input '{input.Name}' is {input.Datatype}: each element must be a number.", "invalid-tensor");
            values.Add(value);
        });
        return new V2InputTensor(input.Name, input.Datatype, input.Shape, values.ToArray(), []);
    }

    private static void Flatten(JsonElement array, Action<JsonElement> visit)
    {
        foreach (var element in array.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Array)
                Flatten(element, visit);
            else
                visit(element);
        }
    }
}
