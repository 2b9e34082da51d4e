namespace MobileViT.Browser.Tests.Infrastructure;

/// <summary>Photographs committed under benchmarks/images (see its README for their origin).</summary>
public static class TestPhotos
{
    /// <summary>A cat, 451x300: wider than tall, so the centre crop the model sees cuts its sides.</summary>
    public static string Cat => Path.Combine(SharedFixtures.RepositoryRoot, "benchmarks", "images", "chelsea.jpg");

    /// <summary>Where the test run writes the page's screenshots that docs/ and the README show.</summary>
    public static string ScreenshotDirectory => Path.Combine(SharedFixtures.RepositoryRoot, "docs", "screenshots");
}
