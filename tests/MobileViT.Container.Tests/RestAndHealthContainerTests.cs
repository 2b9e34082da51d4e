using System.Net;
using System.Text.Json;
using MobileViT.Container.Tests.Infrastructure;

namespace MobileViT.Container.Tests;

/// <summary>REST classify and health against the image built from the repository's Dockerfile, run non-root with a read-only root filesystem.</summary>
public sealed class RestAndHealthContainerTests(ServiceContainerFixture fixture) : IClassFixture<ServiceContainerFixture>
{
    private ServiceContainer Service => fixture.Service;

    [Fact]
    public async Task Classifies_a_jpeg_over_rest()
    {
        using var response = await Service.Http.PostAsync("/v1/classify?topK=3", TestJpeg.Content());
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(ServiceContainer.ModelName, json.RootElement.GetProperty("model").GetString());
        Assert.True(json.RootElement.GetProperty("synthetic").GetBoolean());
        var scores = json.RootElement.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(3, scores.Count);
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.True(response.Headers.Contains("x-batch-size"));
    }

    /// <summary>
    /// The image carries libjpeg-turbo and the windowed decoder built against it, and the service loads them there
    /// rather than decoding whole images or falling back to SkiaSharp.
    /// </summary>
    [Fact]
    public async Task Jpegs_decode_windowed_with_the_images_libjpeg_turbo_not_a_fallback()
    {
        var libraries = await Service.Container.ExecAsync(["sh", "-c", "ls /usr/lib/*/libturbojpeg.so.0 /usr/lib/*/libjpeg.so.62 /app/libmobilevit_jpeg.so"]);
        Assert.True(libraries.ExitCode == 0, libraries.Stderr);

        using var response = await Service.Http.PostAsync("/v1/classify?topK=1", TestJpeg.Content());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var logs = await Service.LogsAsync();
        Assert.Contains("JPEGs decode with SIMD libjpeg-turbo, only the crop window and in bands (/app/libmobilevit_jpeg.so)", logs);
        Assert.DoesNotContain("not found", logs);
        Assert.DoesNotContain("not built", logs);
    }

    [Fact]
    public async Task Undecodable_image_is_a_problem_response_and_the_service_keeps_serving()
    {
        var garbage = new ByteArrayContent(Enumerable.Range(0, 4096).Select(i => (byte)(i * 31)).ToArray());
        garbage.Headers.ContentType = new("image/jpeg");
        using var bad = await Service.Http.PostAsync("/v1/classify", garbage);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);

        using var good = await Service.Http.PostAsync("/v1/classify?topK=1", TestJpeg.Content());
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/startup")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_report_healthy(string path)
    {
        using var response = await Service.Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Docker_healthcheck_of_the_image_turns_healthy()
    {
        var status = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var (exit, output) = await Service.DockerAsync("inspect", "--format", "{{.State.Health.Status}}", Service.Container.Id);
            Assert.Equal(0, exit);
            status = output.Trim();
            if (status is "healthy" or "unhealthy")
                break;
            await Task.Delay(1000);
        }
        Assert.Equal("healthy", status);
    }

    [Fact]
    public async Task Runs_as_non_root_on_a_read_only_root_filesystem()
    {
        var (_, readOnly) = await Service.DockerAsync("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", Service.Container.Id);
        Assert.Equal("true", readOnly.Trim());

        var user = await Service.Container.ExecAsync(["id", "-u"]);
        Assert.Equal("1654", user.Stdout.Trim());

        var write = await Service.Container.ExecAsync(["touch", "/app/written-at-runtime"]);
        Assert.NotEqual(0, write.ExitCode);
        Assert.Contains("Read-only file system", write.Stderr);

        var cache = await Service.Container.ExecAsync(["touch", "/var/cache/mobilevit/probe"]);
        Assert.Equal(0, cache.ExitCode);
    }

    [Fact]
    public async Task Cpu_image_has_no_cuda_provider_and_serves_on_cpu()
    {
        var files = await Service.Container.ExecAsync(["ls", "/app"]);
        Assert.Equal(0, files.ExitCode);
        Assert.Contains("libonnxruntime.so", files.Stdout);
        Assert.DoesNotContain("libonnxruntime_providers_cuda.so", files.Stdout);
        Assert.DoesNotContain("onnxruntime.dll", files.Stdout);

        var models = await Service.Http.GetStringAsync("/v1/models/" + ServiceContainer.ModelName);
        Assert.Contains("\"CPU\"", models);
    }
}
