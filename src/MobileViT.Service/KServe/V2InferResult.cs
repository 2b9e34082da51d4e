using System.Text.Json;

namespace MobileViT.Service.KServe;

/// <summary>
/// The REST inference response: JSON, or when an output asked for binary data, the JSON header (its length in
/// <c>Inference-Header-Content-Length</c>) followed by those outputs' bytes in output order.
/// </summary>
internal sealed class V2InferResult(string model, string version, string? id, IReadOnlyDictionary<string, object> parameters, IReadOnlyList<V2OutputTensor> outputs)
    : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var binary = outputs.Select(o => o.Binary ? o.ToBinary() : null).ToList();
        var header = new V2InferResponseJson(model, version, id, parameters, outputs.Select((o, i) => binary[i] is { } bytes
            ? new V2OutputJson(o.Name, o.Shape, o.Datatype, new Dictionary<string, object> { ["binary_data_size"] = bytes.Length }, null)
            : new V2OutputJson(o.Name, o.Shape, o.Datatype, null, (object?)o.Fp32 ?? o.Strings)).ToList());
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        if (binary.All(b => b is null))
        {
            response.ContentType = "application/json";
            response.ContentLength = json.Length;
            await response.Body.WriteAsync(json, httpContext.RequestAborted);
            return;
        }
        response.ContentType = "application/octet-stream";
        response.Headers[V2RestBodyReader.HeaderLengthHeader] = json.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.ContentLength = json.Length + binary.Sum(b => b?.Length ?? 0);
        await response.Body.WriteAsync(json, httpContext.RequestAborted);
        foreach (var bytes in binary)
        {
            if (bytes is not null)
                await response.Body.WriteAsync(bytes, httpContext.RequestAborted);
        }
    }
}
