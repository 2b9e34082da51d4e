using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MobileViT.Modeling;

namespace MobileViT.Service.Tests.Models;

/// <summary>
/// A model repository on disk, <c>&lt;model&gt;/&lt;version&gt;/</c>, each version a synthetic MobileViT-XXS built from a
/// seed, so that versions answer differently and a test can compute each one's answer itself (<see cref="ReferenceLogits"/>).
/// Versions are written as a temporary directory renamed into place, as an operator should.
/// </summary>
public sealed class ModelRepositoryDirectory : IDisposable
{
    private static readonly ConcurrentDictionary<int, Lazy<byte[]>> Graphs = new();
    private readonly TemporaryDirectory _directory = new();

    public ModelRepositoryDirectory() => Directory.CreateDirectory(Root);

    public string Root => _directory.Path;

    /// <summary>The ONNX graph of the synthetic XXS model with this seed, built once per test run.</summary>
    public static byte[] Graph(int seed) => Graphs.GetOrAdd(seed, s => new Lazy<byte[]>(() => MobileViTModelFactory.BuildSeeded(MobileViTVariant.Xxs, s))).Value;

    /// <summary>Writes version <paramref name="version"/> of <paramref name="model"/> (replacing it) from the seeded graph.</summary>
    public string WriteVersion(string model, int version, int seed, string? root = null)
    {
        var target = Path.Combine(root ?? Root, model, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var temporary = Path.Combine(root ?? Root, model, $".{version}.{Guid.NewGuid():N}.tmp");
        ModelDirectoryWriter.Write(temporary, MobileViTVariant.Xxs, Graph(seed));
        if (Directory.Exists(target))
            Directory.Delete(target, recursive: true);
        Directory.Move(temporary, target);
        return target;
    }

    /// <summary>A version caught half-written: its JSON files are there, its ONNX file not yet.</summary>
    public void WriteIncomplete(string model, int version)
    {
        var directory = WriteVersion(model, version, seed: 1);
        File.Delete(Path.Combine(directory, "onnx", "model.onnx"));
    }

    /// <summary>A version whose files are all there but whose ONNX file is not a model.</summary>
    public void WriteUnreadable(string model, int version)
    {
        var directory = WriteVersion(model, version, seed: 1);
        File.WriteAllBytes(Path.Combine(directory, "onnx", "model.onnx"), "this is not an ONNX model"u8.ToArray());
    }

    public void WriteModelConfig(string model, string json) => File.WriteAllText(Path.Combine(Root, model, "model_config.json"), json);

    /// <summary>The logits the seeded model computes for <paramref name="pixels"/> [3,256,256], run here with ONNX Runtime.</summary>
    public static float[] ReferenceLogits(int seed, float[] pixels)
    {
        using var session = new InferenceSession(Graph(seed));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("pixel_values", new DenseTensor<float>(pixels, [1, 3, 256, 256]))]);
        return results.First().AsEnumerable<float>().ToArray();
    }

    /// <summary>A preprocessed input [3,256,256] of deterministic noise in [0, 1).</summary>
    public static float[] Pixels(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 3 * 256 * 256).Select(_ => (float)random.NextDouble()).ToArray();
    }

    public void Dispose() => _directory.Dispose();
}
