namespace MobileViT.Cli.Bench;

/// <summary>The JPEG photographs a benchmark sends, round-robin: <c>--images DIR</c>, else <c>benchmarks/images</c> found above the working directory.</summary>
public sealed class BenchImages
{
    private BenchImages(IReadOnlyList<(string Name, byte[] Bytes)> images) => Images = images;

    public IReadOnlyList<(string Name, byte[] Bytes)> Images { get; }

    public byte[] this[long index] => Images[(int)(index % Images.Count)].Bytes;

    public double MeanBytes => Images.Average(i => i.Bytes.Length);

    public static BenchImages Load(string? directory)
    {
        directory ??= FindDefault() ?? throw new Commands.UsageException("no --images given and no benchmarks/images directory above the working directory.");
        if (!Directory.Exists(directory))
            throw new Commands.UsageException($"--images: directory '{directory}' does not exist.");
        var images = Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)))
            .ToList();
        return images.Count > 0 ? new BenchImages(images) : throw new Commands.UsageException($"--images: no JPEG files in '{directory}'.");
    }

    private static string? FindDefault()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "benchmarks", "images");
            if (Directory.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
