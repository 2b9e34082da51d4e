using Microsoft.Extensions.Logging;
using MobileViT.Inference.Configuration;
using MobileViT.Modeling;
using MobileViT.Inference.Preprocessing;

namespace MobileViT.Inference.Sources;

/// <summary>Turns a configured model source into the artifacts to serve, applying the synthetic fallback policy.</summary>
public sealed class ModelSourceResolver(HuggingFaceHubClient hub, bool fallbackToSynthetic, ILogger<ModelSourceResolver> logger)
{
    public const MobileViTVariant FallbackVariant = MobileViTVariant.S;

    public async Task<ModelArtifacts> ResolveAsync(ModelOptions model, CancellationToken cancellationToken)
    {
        var source = ModelSource.Parse(model.Source);
        switch (source.Kind)
        {
            case ModelSourceKind.Synthetic:
                return BuildSynthetic(source.SyntheticVariant);

            case ModelSourceKind.LocalDirectory:
                return ModelDirectoryReader.Read(Path.GetFullPath(source.Value), model.OnnxFile, source.ToString());

            case ModelSourceKind.HuggingFace:
                try
                {
                    var directory = await hub.EnsureFilesAsync(source.Value, model.Revision,
                        ["config.json", "preprocessor_config.json", model.OnnxFile], cancellationToken).ConfigureAwait(false);
                    return ModelDirectoryReader.Read(directory, model.OnnxFile, source.ToString());
                }
                catch (ModelSourceException e) when (fallbackToSynthetic)
                {
                    logger.LogWarning(
                        "\n*****************************************************************************\n" +
                        "* Model '{Name}' ({Source}) could not be loaded: {Reason}\n" +
                        "* FALLING BACK TO synthetic:{Variant}: RANDOM WEIGHTS, PREDICTIONS MEAN NOTHING.\n" +
                        "* Every response says \"synthetic\": true. Production never falls back.\n" +
                        "*****************************************************************************",
                        model.Name, source, e.Message, FallbackVariant.ToName());
                    return BuildSynthetic(FallbackVariant) with { Origin = $"{ModelSource.SyntheticPrefix}{FallbackVariant.ToName()} (fallback for {source})" };
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(model));
        }
    }

    private static ModelArtifacts BuildSynthetic(MobileViTVariant variant) => new(
        MobileViTModelFactory.BuildSeeded(variant, MobileViTModelFactory.SyntheticSeed),
        ImageNetLabels.All,
        PreprocessorConfig.MobileViTDefault,
        Synthetic: true,
        ModelSource.SyntheticPrefix + variant.ToName());
}
