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
            {
                var directory = Path.GetFullPath(source.Value);
                if (model.OnnxFile is null && Directory.Exists(directory) && await IsBuildableAsync(model, source, directory, cancellationToken).ConfigureAwait(false))
                {
                    var weights = HuggingFaceWeightFiles.InPreferenceOrder.Select(f => Path.Combine(directory, f)).FirstOrDefault(File.Exists);
                    if (weights is not null)
                        return BuildFromWeights(model, source, directory, weights);
                    LogNoWeights(model, source);
                }
                return ModelDirectoryReader.Read(directory, model.OnnxFile ?? ModelOptions.DefaultOnnxFile, source.ToString());
            }

            case ModelSourceKind.HuggingFace:
                try
                {
                    return await ResolveHuggingFaceAsync(model, source, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// With no OnnxFile configured, a repository whose config.json is a MobileViT v1 classifier and which publishes its
    /// weights is built by the service's own builder; otherwise (or with OnnxFile set) its ONNX file is served.
    /// </summary>
    private async Task<ModelArtifacts> ResolveHuggingFaceAsync(ModelOptions model, ModelSource source, CancellationToken cancellationToken)
    {
        var (repository, revision) = (source.Value, model.Revision);
        var directory = await hub.EnsureFilesAsync(repository, revision, ["config.json", "preprocessor_config.json"], cancellationToken).ConfigureAwait(false);
        if (model.OnnxFile is null && await IsBuildableAsync(model, source, directory, cancellationToken).ConfigureAwait(false))
        {
            if (await FindWeightsAsync(repository, revision, cancellationToken).ConfigureAwait(false) is { } weights)
                return BuildFromWeights(model, source, directory, weights);
            LogNoWeights(model, source);
        }

        var onnxFile = model.OnnxFile ?? ModelOptions.DefaultOnnxFile;
        await hub.EnsureFilesAsync(repository, revision, [onnxFile], cancellationToken).ConfigureAwait(false);
        return ModelDirectoryReader.Read(directory, onnxFile, source.ToString());
    }

    /// <summary>Whether the directory's config.json describes a MobileViT this service's builder reproduces (logged when not).</summary>
    private async Task<bool> IsBuildableAsync(ModelOptions model, ModelSource source, string directory, CancellationToken cancellationToken)
    {
        var configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath))
            return false;
        var config = await File.ReadAllTextAsync(configPath, cancellationToken).ConfigureAwait(false);
        if (MobileViTHuggingFaceConfig.IsBuildable(config, out var reason))
            return true;
        ModelSourceLog.NotBuildable(logger, model.Name, source, ModelOptions.DefaultOnnxFile, reason);
        return false;
    }

    private void LogNoWeights(ModelOptions model, ModelSource source) =>
        ModelSourceLog.NoWeights(logger, model.Name, source, string.Join(" or ", HuggingFaceWeightFiles.InPreferenceOrder), ModelOptions.DefaultOnnxFile);

    /// <summary>
    /// The first weight file in preference order that is cached; when none is and the ONNX file is (an earlier start
    /// found no weights), none, without a request; otherwise the first the hub has.
    /// </summary>
    private async Task<string?> FindWeightsAsync(string repository, string revision, CancellationToken cancellationToken)
    {
        var cached = HuggingFaceWeightFiles.InPreferenceOrder.FirstOrDefault(file => hub.IsCached(repository, revision, file));
        if (cached is not null)
            return Path.Combine(hub.CacheDirectoryFor(repository, revision), cached);
        if (hub.IsCached(repository, revision, ModelOptions.DefaultOnnxFile))
            return null;
        foreach (var file in HuggingFaceWeightFiles.InPreferenceOrder)
        {
            if (await hub.TryEnsureFileAsync(repository, revision, file, cancellationToken).ConfigureAwait(false) is { } path)
                return path;
        }
        return null;
    }

    private ModelArtifacts BuildFromWeights(ModelOptions model, ModelSource source, string directory, string weights)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        MobileViTVariant variant;
        byte[] onnx;
        try
        {
            (variant, onnx) = MobileViTModelFactory.BuildFromWeightsFile(weights, ServedGraph.Features);
        }
        catch (InvalidDataException e)
        {
            throw new ModelSourceException($"{source}: {Path.GetFileName(weights)} cannot be built into MobileViT: {e.Message} " +
                "Set MobileViT__Models__N__OnnxFile to serve the repository's ONNX file instead.", e);
        }
        var file = Path.GetFileName(weights);
        ModelSourceLog.Built(logger, model.Name, source, variant.ToName().ToUpperInvariant(), ServedGraph.Features.ToString(), file,
            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        var artifacts = ModelDirectoryReader.ReadWithoutOnnx(directory, $"{source} (built from {file})");
        return artifacts with { OnnxModel = onnx };
    }

    private static ModelArtifacts BuildSynthetic(MobileViTVariant variant) => new(
        MobileViTModelFactory.BuildSeeded(variant, MobileViTModelFactory.SyntheticSeed, ServedGraph.Features),
        ImageNetLabels.All,
        PreprocessorConfig.MobileViTDefault,
        Synthetic: true,
        ModelSource.SyntheticPrefix + variant.ToName());
}
