using System.Reflection;
using MobileViT.Inference.Models;

namespace MobileViT.Service.KServe;

/// <summary>What the V2 protocol reports about the server and a model, rendered from the core's model description; shared by the gRPC and REST forms.</summary>
internal static class V2ModelMetadata
{
    public const string ServerName = "mobilevit-service";
    public const string Platform = "onnxruntime_onnx";
    public const string Fp32 = "FP32";
    public const string BytesType = "BYTES";

    /// <summary>The BYTES input: encoded image files, preprocessed by the server.</summary>
    public const string ImageInputName = "image";

    public static string ServerVersion { get; } =
        typeof(V2ModelMetadata).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>The Triton protocol extensions this server implements, as <c>/v2</c> and <c>ServerMetadata</c> list them.</summary>
    public static IReadOnlyList<string> Extensions { get; } = ["binary_tensor_data", "classification", "statistics", "model_configuration"];

    /// <summary>Triton's model repository extension, listed when the control API is on.</summary>
    public const string ModelRepositoryExtension = "model_repository";

    public static IReadOnlyList<string> ExtensionsOf(bool controlApi) => controlApi ? [.. Extensions, ModelRepositoryExtension] : Extensions;

    /// <summary>The versions of a model that serve now, as the protocol lists them.</summary>
    public static IReadOnlyList<string> ReadyVersions(ModelDescription model) =>
        model.Versions.Where(v => v.State == ModelState.Ready).Select(v => v.Version).Distinct().Order()
            .Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

    public sealed record Tensor(string Name, string Datatype, long[] Shape);

    /// <summary>Inputs (send exactly one of them): the preprocessed tensor, or encoded images.</summary>
    public static IReadOnlyList<Tensor> Inputs(ModelDescription.LoadedFacts model) =>
    [
        new(model.Signature.InputName, Fp32, [-1, model.Signature.Channels, model.Signature.Height, model.Signature.Width]),
        new(ImageInputName, BytesType, [-1]),
    ];

    /// <summary>What the protocol's metadata has no field for, as string parameters: how the server preprocesses the <c>image</c> input.</summary>
    public static IReadOnlyDictionary<string, string> Parameters(ModelDescription.LoadedFacts model) => new Dictionary<string, string>
    {
        ["preprocessing_mode"] = model.PreprocessingMode.ToString().ToLowerInvariant(),
        ["preprocessing_placement"] = model.PreprocessingPlacement.ToString().ToLowerInvariant(),
    };

    public static IReadOnlyList<Tensor> Outputs(ModelDescription.LoadedFacts model) => [new(model.Signature.OutputName, Fp32, [-1, model.LabelCount])];
}
