using System.Text.Json;
using MobileViT.Inference.Preprocessing;

namespace MobileViT.Inference.Sources;

/// <summary>Reads a model directory in the Hugging Face layout: config.json (id2label), preprocessor_config.json and an ONNX file.</summary>
public static class ModelDirectoryReader
{
    public static ModelArtifacts Read(string directory, string onnxFile, string origin)
    {
        if (!Directory.Exists(directory))
            throw new ModelSourceException($"Model directory '{directory}' does not exist.");

        var onnxPath = Path.Combine(directory, onnxFile);
        if (!File.Exists(onnxPath))
            throw new ModelSourceException($"Model directory '{directory}' has no '{onnxFile}'.");
        return ReadWithoutOnnx(directory, origin) with { OnnxModel = File.ReadAllBytes(onnxPath) };
    }

    /// <summary>Labels and preprocessing of a model directory whose graph comes from elsewhere (<see cref="ModelArtifacts.OnnxModel"/> empty).</summary>
    public static ModelArtifacts ReadWithoutOnnx(string directory, string origin)
    {
        var configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath))
            throw new ModelSourceException($"Model directory '{directory}' has no config.json (labels come from its id2label).");
        var labels = ReadLabels(File.ReadAllText(configPath), configPath);

        var preprocessorPath = Path.Combine(directory, "preprocessor_config.json");
        if (!File.Exists(preprocessorPath))
            throw new ModelSourceException($"Model directory '{directory}' has no preprocessor_config.json.");
        PreprocessorConfig preprocessor;
        try
        {
            preprocessor = PreprocessorConfig.FromJson(File.ReadAllText(preprocessorPath));
        }
        catch (Exception e) when (e is JsonException or FormatException or NotSupportedException or InvalidOperationException)
        {
            throw new ModelSourceException($"{preprocessorPath}: {e.Message}", e);
        }

        return new ModelArtifacts([], labels, preprocessor, Synthetic: false, origin);
    }

    /// <summary>Labels in index order from config.json's <c>id2label</c>; every index from 0 to N-1 must be present.</summary>
    public static IReadOnlyList<string> ReadLabels(string configJson, string whereForErrors)
    {
        try
        {
            using var document = JsonDocument.Parse(configJson);
            if (!document.RootElement.TryGetProperty("id2label", out var id2Label) || id2Label.ValueKind != JsonValueKind.Object)
                throw new ModelSourceException($"{whereForErrors} has no id2label object.");

            var byIndex = new SortedDictionary<int, string>();
            foreach (var entry in id2Label.EnumerateObject())
            {
                if (!int.TryParse(entry.Name, out var index) || index < 0)
                    throw new ModelSourceException($"{whereForErrors}: id2label key '{entry.Name}' is not a class index.");
                byIndex[index] = entry.Value.GetString() ?? "";
            }
            if (byIndex.Count == 0 || byIndex.Keys.Last() != byIndex.Count - 1)
                throw new ModelSourceException($"{whereForErrors}: id2label must cover indices 0..N-1 without gaps.");
            return byIndex.Values.ToArray();
        }
        catch (JsonException e)
        {
            throw new ModelSourceException($"{whereForErrors} is not valid JSON: {e.Message}", e);
        }
    }
}
