namespace MobileViT.Inference.Tests.Preprocessing;

/// <summary>The CC0 / public-domain photographs in <c>benchmarks/images</c>, real camera JPEGs for exactness tests.</summary>
public static class BenchmarkPhotos
{
    public static string Directory => Path.Combine(SharedFixtures.RepositoryRoot, "benchmarks", "images");

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var path in System.IO.Directory.GetFiles(Directory, "*.jpg").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Directory, name));
}
