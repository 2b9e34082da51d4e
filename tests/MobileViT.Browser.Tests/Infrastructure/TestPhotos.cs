namespace MobileViT.Browser.Tests.Infrastructure;

/// <summary>Photographs committed under benchmarks/images (see its README for their origin).</summary>
public static class TestPhotos
{
    /// <summary>A cat, 451x300: wider than tall, so the centre crop the model sees cuts its sides.</summary>
    public static string Cat => Path.Combine(SharedFixtures.RepositoryRoot, "benchmarks", "images", "chelsea.jpg");

    /// <summary>
    /// Where the test run writes the page's screenshots: docs/screenshots, which the README shows, only when
    /// <see cref="WriteScreenshotsVariable"/> is 1 (the tracked files change only when asked); a temporary directory otherwise.
    /// </summary>
    public static string ScreenshotDirectory => Environment.GetEnvironmentVariable(WriteScreenshotsVariable) == "1"
        ? Path.Combine(SharedFixtures.RepositoryRoot, "docs", "screenshots")
        : Path.Combine(Path.GetTempPath(), "mobilevit-screenshots");

    public const string WriteScreenshotsVariable = "MOBILEVIT_WRITE_SCREENSHOTS";
}
