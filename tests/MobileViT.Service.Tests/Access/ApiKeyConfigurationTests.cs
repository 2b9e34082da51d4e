using System.Net;

namespace MobileViT.Service.Tests.Access;

/// <summary>Keys are opt-in; with keys, <c>/metrics</c> is exempt unless protected. (Bad key settings: <see cref="ConfigurationValidationTests"/>.)</summary>
public sealed class ApiKeyConfigurationTests
{
    [Fact]
    public async Task Without_keys_everything_is_open_and_metrics_are_exempt_by_default()
    {
        await using var open = await RunningService.StartAsync(RunningService.SmallModel());
        await using var keyed = await KeyedService.StartAsync(new Dictionary<string, string> { ["MobileViT:Auth:ProtectMetrics"] = "false" });

        Assert.Equal(HttpStatusCode.OK, (await open.Client.GetAsync("v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await keyed.Http.GetAsync("metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await keyed.Http.GetAsync("v1/models")).StatusCode);
    }
}
