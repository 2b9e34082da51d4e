using MobileViT.Cli.Commands;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Runtime;

namespace MobileViT.Cli.Bench;

/// <summary>Sessions over a graph file as the service creates them, for the commands that time or profile graphs.</summary>
internal static class GraphSessions
{
    private const int Seed = 7;

    /// <summary>MobileViT's input size, for a graph that leaves the spatial dimensions dynamic.</summary>
    private const int DefaultImageSize = 256;

    /// <summary>The ONNX file of a model directory (as build-model writes it), or the file itself.</summary>
    public static string OnnxFile(string path, string option)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "onnx", "model.onnx") : path;
        return File.Exists(file) ? Path.GetFullPath(file) : throw new UsageException($"--{option}: no ONNX file at '{file}'.");
    }

    public static int Positive(CommandLineOptions options, string name, int fallback)
    {
        var value = options.GetInt(name) ?? fallback;
        return value >= 1 ? value : throw new UsageException($"option --{name} must be at least 1.");
    }

    public static SessionInstance Create(SessionFactory factory, string onnxFile, int threads, int maxBatch, string name, string? profilePathPrefix = null)
    {
        var (session, provider) = factory.Create(File.ReadAllBytes(onnxFile), [ExecutionProviderKind.Cpu], threads, 0, name, 0, profilePathPrefix);
        var input = session.InputMetadata.Values.First().Dimensions;
        var signature = ModelSignature.FromSession(session, input[2] > 0 ? input[2] : DefaultImageSize, input[3] > 0 ? input[3] : DefaultImageSize);
        return new SessionInstance(0, session, provider, signature, maxBatch);
    }

    /// <summary>The same seeded-random pixels in every instance's first <paramref name="batch"/> input slots.</summary>
    public static void FillSeededPixels(IReadOnlyList<SessionInstance> instances, int batch)
    {
        var random = new Random(Seed);
        for (var k = 0; k < batch; k++)
        {
            var slot = instances[0].InputSlot(k);
            for (var i = 0; i < slot.Length; i++)
                slot[i] = random.NextSingle();
            foreach (var other in instances.Skip(1))
                slot.CopyTo(other.InputSlot(k));
        }
    }
}
