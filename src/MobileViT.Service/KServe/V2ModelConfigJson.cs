using System.Text.Json.Serialization;
using MobileViT.Inference.Models;
using MobileViT.Inference.Models.Versions;

namespace MobileViT.Service.KServe;

/// <summary>
/// Triton's model configuration (the JSON form of <c>model_config.proto</c>'s ModelConfig) for a loaded model:
/// dims exclude the batch dimension, as Triton's do when <c>max_batch_size</c> is above 0.
/// </summary>
internal sealed record V2ModelConfigJson(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("platform")] string Platform,
    [property: JsonPropertyName("backend")] string Backend,
    [property: JsonPropertyName("version_policy")] object VersionPolicy,
    [property: JsonPropertyName("max_batch_size")] int MaxBatchSize,
    [property: JsonPropertyName("input")] IReadOnlyList<V2ModelConfigJson.TensorConfig> Input,
    [property: JsonPropertyName("output")] IReadOnlyList<V2ModelConfigJson.TensorConfig> Output,
    [property: JsonPropertyName("dynamic_batching")] V2ModelConfigJson.DynamicBatching Batching,
    [property: JsonPropertyName("instance_group")] IReadOnlyList<V2ModelConfigJson.InstanceGroup> InstanceGroups,
    [property: JsonPropertyName("parameters")] IReadOnlyDictionary<string, V2ModelConfigJson.StringParameter> Parameters)
{
    public sealed record TensorConfig(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("data_type")] string DataType,
        [property: JsonPropertyName("dims")] long[] Dims);

    public sealed record DynamicBatching(
        [property: JsonPropertyName("max_queue_delay_microseconds")] long MaxQueueDelayMicroseconds,
        [property: JsonPropertyName("preferred_batch_size")] int[] PreferredBatchSize);

    /// <summary>Triton's ModelParameter: model configuration parameters are string values.</summary>
    public sealed record StringParameter([property: JsonPropertyName("string_value")] string StringValue);

    public sealed record InstanceGroup(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("count")] int Count);

    /// <summary>The configuration of <paramref name="model"/>'s version whose facts are <paramref name="loaded"/>.</summary>
    public static V2ModelConfigJson Of(ModelDescription model, ModelDescription.LoadedFacts loaded, ServingConfig serving)
    {
        var signature = loaded.Signature;
        var kind = loaded.ExecutionProvider.StartsWith("CUDA", StringComparison.OrdinalIgnoreCase) ? "KIND_GPU" : "KIND_CPU";
        return new V2ModelConfigJson(model.Name, V2ModelMetadata.Platform, "onnxruntime", PolicyJson(serving.Policy),
            model.Batching.MaxBatchSize ?? 1,
            [
                new(signature.InputName, "TYPE_FP32", [signature.Channels, signature.Height, signature.Width]),
                new(V2ModelMetadata.ImageInputName, "TYPE_STRING", [1]),
            ],
            [new(signature.OutputName, "TYPE_FP32", [loaded.LabelCount])],
            new DynamicBatching(model.Batching.MaxQueueDelayMs * 1000L, []),
            [new InstanceGroup(model.Name + "_0", kind, loaded.Instances)],
            V2ModelMetadata.Parameters(loaded).Concat(ServingParameters(serving)).ToDictionary(p => p.Key, p => new StringParameter(p.Value)));
    }

    /// <summary>The default and shadow versions, as the string parameters a load's config override sets them with.</summary>
    private static IEnumerable<KeyValuePair<string, string>> ServingParameters(ServingConfig serving)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (serving.DefaultVersion is { } v)
            yield return new(ServingConfigJson.DefaultVersionParameter, v.ToString(invariant));
        if (serving.ShadowVersion is { } s)
            yield return new(ServingConfigJson.ShadowVersionParameter, s.ToString(invariant));
        if (serving.ShadowSample is { } sample)
            yield return new(ServingConfigJson.ShadowSampleParameter, sample.ToString(invariant));
    }

    /// <summary>Triton's JSON form of a ModelVersionPolicy.</summary>
    private static object PolicyJson(VersionPolicy policy) => policy switch
    {
        VersionPolicy.Latest latest => new { latest = new { num_versions = latest.Count } },
        VersionPolicy.Specific specific => new { specific = new { versions = specific.Versions.Order().ToArray() } },
        _ => new { all = new { } },
    };
}
