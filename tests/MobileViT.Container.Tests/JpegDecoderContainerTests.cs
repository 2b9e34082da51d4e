using System.Net;
using MobileViT.Container.Tests.Infrastructure;

namespace MobileViT.Container.Tests;

/// <summary>The image carries the SIMD libturbojpeg that JPEG decoding uses, and the service loads it there rather than falling back to SkiaSharp.</summary>
public sealed class JpegDecoderContainerTests(ServiceContainerFixture fixture) : IClassFixture<ServiceContainerFixture>
{
    private ServiceContainer Service => fixture.Service;

    [Fact]
    public async Task Service_decodes_jpegs_with_the_images_libturbojpeg_not_the_skia_fallback()
    {
        var library = await Service.Container.ExecAsync(["sh", "-c", "ls /usr/lib/*/libturbojpeg.so.0"]);
        Assert.True(library.ExitCode == 0, library.Stderr);

        using var response = await Service.Http.PostAsync("/v1/classify?topK=1", TestJpeg.Content());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var logs = await Service.LogsAsync();
        Assert.Contains("JPEGs decode with libturbojpeg.so.0 (SIMD libjpeg-turbo)", logs);
        Assert.DoesNotContain("libturbojpeg not found", logs);
    }
}
