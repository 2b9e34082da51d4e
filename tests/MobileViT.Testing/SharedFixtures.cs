namespace MobileViT.Testing;

/// <summary>Locates ../shared beside the repository root (fixtures the tests may read; the product never needs them).</summary>
public static class SharedFixtures
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();
    public static string Root { get; } = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "fixtures"));
    public static string MobileViTXxsSeed7 => Path.Combine(Root, "mobilevit-xxs-seed7");
    public static string Preprocess => Path.Combine(Root, "preprocess");

    public static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var result = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, result, 0, result.Length * 4);
        return result;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MobileViT.Service.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("MobileViT.Service.sln not found above " + AppContext.BaseDirectory);
    }
}
