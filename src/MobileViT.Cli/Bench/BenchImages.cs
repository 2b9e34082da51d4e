using MobileViT.Inference.Preprocessing;

namespace MobileViT.Cli.Bench;

/// <summary>The JPEG photographs a benchmark sends, round-robin: <c>--images DIR</c>, else <c>benchmarks/images</c> found above the working directory.</summary>
public sealed class BenchImages
{
    private BenchImages(string label, IReadOnlyList<BenchImage> images)
    {
        Label = label;
        Images = images;
    }

    /// <summary>Which images these are: <c>all</c>, a size class, or one file's name.</summary>
    public string Label { get; }

    public IReadOnlyList<BenchImage> Images { get; }

    public byte[] this[long index] => Images[(int)(index % Images.Count)].Bytes;

    public double MeanBytes => Images.Average(i => i.Bytes.Length);

    /// <summary>
    /// <c>all</c>: one set. <c>size</c>: one set per <see cref="BenchImage.SizeClass"/>, smallest first. <c>image</c>: one
    /// set per file. A benchmark runs every point once per set, so each figure belongs to images of one kind.
    /// </summary>
    public IReadOnlyList<BenchImages> GroupBy(string grouping) => grouping switch
    {
        "all" => [this],
        "size" => Images.GroupBy(i => i.SizeClass).OrderBy(g => g.Min(i => i.Pixels))
            .Select(g => new BenchImages(g.Key, g.ToList())).ToList(),
        "image" => Images.Select(i => new BenchImages(i.Name, [i])).ToList(),
        _ => throw new Commands.UsageException($"--group '{grouping}' is not one of: all, size, image."),
    };

    public static BenchImages Load(string? directory)
    {
        directory ??= FindDefault() ?? throw new Commands.UsageException("no --images given and no benchmarks/images directory above the working directory.");
        if (!Directory.Exists(directory))
            throw new Commands.UsageException($"--images: directory '{directory}' does not exist.");
        var images = Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(f => BenchImage.Read(f))
            .ToList();
        return images.Count > 0 ? new BenchImages("all", images) : throw new Commands.UsageException($"--images: no JPEG files in '{directory}'.");
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

/// <summary>One benchmark photograph and its size from the JPEG header.</summary>
public sealed record BenchImage(string Name, byte[] Bytes, int Width, int Height)
{
    public long Pixels => (long)Width * Height;

    /// <summary><c>&lt;1MP</c> (the web-sized photos in benchmarks/images), <c>1-6MP</c>, or <c>&gt;=6MP</c> (phone cameras: 12 MP).</summary>
    public string SizeClass => Pixels switch
    {
        < 1_000_000 => "<1MP",
        < 6_000_000 => "1-6MP",
        _ => ">=6MP",
    };

    public static BenchImage Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        ImageHeader header;
        try
        {
            header = ImagePreprocessor.ReadHeader(bytes);
        }
        catch (InvalidImageException e)
        {
            throw new Commands.UsageException($"--images: '{path}' is not a readable image ({e.Message}).");
        }
        return new BenchImage(Path.GetFileName(path), bytes, header.Width, header.Height);
    }
}
