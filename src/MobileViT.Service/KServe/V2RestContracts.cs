using System.Text.Json;
using System.Text.Json.Serialization;

namespace MobileViT.Service.KServe;

internal sealed record V2InferResponseJson(
    [property: JsonPropertyName("model_name")] string ModelName,
    [property: JsonPropertyName("model_version")] string? ModelVersion,
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("parameters")] IReadOnlyDictionary<string, object> Parameters,
    [property: JsonPropertyName("outputs")] IReadOnlyList<V2OutputJson> Outputs);

/// <summary>One output: <c>data</c> (FP32 numbers or BYTES strings), or <c>parameters.binary_data_size</c> when its bytes follow the JSON.</summary>
internal sealed record V2OutputJson(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("shape")] long[] Shape,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("parameters"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, object>? Parameters,
    [property: JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Data);

internal sealed record V2ServerMetadataJson(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("extensions")] IReadOnlyList<string> Extensions);

internal sealed record V2ModelMetadataJson(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("versions")] IReadOnlyList<string> Versions,
    [property: JsonPropertyName("platform")] string Platform,
    [property: JsonPropertyName("inputs")] IReadOnlyList<V2ModelMetadata.Tensor> Inputs,
    [property: JsonPropertyName("outputs")] IReadOnlyList<V2ModelMetadata.Tensor> Outputs,
    [property: JsonPropertyName("parameters")] IReadOnlyDictionary<string, string>? Parameters = null);

/// <summary>One row of Triton's repository index.</summary>
internal sealed record V2RepositoryIndexEntryJson(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("reason")] string Reason);
