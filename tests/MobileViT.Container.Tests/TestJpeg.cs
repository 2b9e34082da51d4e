namespace MobileViT.Container.Tests;

/// <summary>The shared fixture JPEG (a real encoded photograph-sized image).</summary>
public static class TestJpeg
{
    public static byte[] Bytes { get; } = File.ReadAllBytes(Path.Combine(SharedFixtures.Preprocess, "noise_300x517.jpg"));

    public static ByteArrayContent Content()
    {
        var content = new ByteArrayContent(Bytes);
        content.Headers.ContentType = new("image/jpeg");
        return content;
    }
}
