using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Health;

/// <summary>What the three probes say while models load, once they are warm, and once shutdown has begun.</summary>
public sealed class HealthEndpointTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> ProbeAsync(RunningService service, string path)
    {
        using var response = await service.Client.GetAsync(path);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static string CheckStatus(JsonElement body, string check) => body.GetProperty("checks").GetProperty(check).GetProperty("status").GetString()!;

    [Fact]
    public async Task While_a_model_loads_the_process_is_live_but_not_started_or_ready_and_requests_get_503()
    {
        // A hub that accepts connections and never answers: the model stays in Loading for as long as the test needs.
        using var silentHub = new TcpListener(IPAddress.Loopback, 0);
        silentHub.Start();
        using var cache = new TemporaryDirectory();
        await using var service = await RunningService.StartAsync(new Dictionary<string, string>(RunningService.SmallModel(source: "hf:someone/slow-model"))
        {
            ["MobileViT:HuggingFace:Endpoint"] = $"http://127.0.0.1:{((IPEndPoint)silentHub.LocalEndpoint).Port}",
            ["MobileViT:HuggingFace:CacheDirectory"] = cache.Path,
        }, waitUntilReady: false);

        var live = await ProbeAsync(service, "health/live");
        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.Equal("Healthy", CheckStatus(live.Body, "process"));

        var startup = await ProbeAsync(service, "health/startup");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, startup.Status);
        Assert.Equal("loading", startup.Body.GetProperty("checks").GetProperty("models").GetProperty("data").GetProperty("tiny").GetString());

        var ready = await ProbeAsync(service, "health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal("Unhealthy", CheckStatus(ready.Body, "models"));
        Assert.Equal("Healthy", CheckStatus(ready.Body, "draining"));

        using var classify = await service.Client.PostAsync("v1/classify", Png());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, classify.StatusCode);
        Assert.False(service.Registry.IsReady);
    }

    [Fact]
    public async Task Once_warm_all_probes_pass_and_when_draining_begins_only_readiness_fails()
    {
        await using var service = await RunningService.StartAsync(RunningService.SmallModel());

        foreach (var path in new[] { "health/live", "health/startup", "health/ready" })
        {
            var (status, body) = await ProbeAsync(service, path);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("Healthy", body.GetProperty("status").GetString());
        }
        var ready = await ProbeAsync(service, "health/ready");
        Assert.Equal(["draining", "models", "queues"], ready.Body.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order());
        Assert.True(service.Registry.IsReady);

        // Shutdown's first step (what SIGTERM does before the grace period ends).
        service.Registry.BeginDraining();

        var notReady = await ProbeAsync(service, "health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
        Assert.Equal("Unhealthy", CheckStatus(notReady.Body, "draining"));
        Assert.Equal(HttpStatusCode.OK, (await ProbeAsync(service, "health/live")).Status);
        Assert.Equal(HttpStatusCode.OK, (await ProbeAsync(service, "health/startup")).Status);
        Assert.False(service.Registry.IsReady);

        // During the grace period requests already routed here are still served; once draining refuses, they get 503.
        using (var served = await service.Client.PostAsync("v1/classify", Png()))
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        await service.Registry.DrainAsync();
        using var refused = await service.Client.PostAsync("v1/classify", Png());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    private static ByteArrayContent Png()
    {
        var content = new ByteArrayContent(TestImages.Png(32, 32));
        content.Headers.ContentType = new("image/png");
        return content;
    }
}
