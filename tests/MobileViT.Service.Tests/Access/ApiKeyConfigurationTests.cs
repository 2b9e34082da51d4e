using System.Net;
using Microsoft.Extensions.Options;

namespace MobileViT.Service.Tests.Access;

/// <summary>Start-up errors of the key settings name the key, and a missing key file never starts an open service.</summary>
public sealed class ApiKeyConfigurationTests
{
    [Theory]
    [InlineData("MobileViT:Auth:ApiKeysFile", "/nonexistent/api-keys", "MobileViT__Auth__ApiKeysFile")]
    [InlineData("MobileViT:Auth:ApiKeys:0", "no-colon", "MobileViT__Auth__ApiKeys__0")]
    [InlineData("MobileViT:Auth:ReloadIntervalSeconds", "0", "MobileViT__Auth__ReloadIntervalSeconds")]
    [InlineData("MobileViT:RateLimit:PermitsPerSecond", "-1", "MobileViT__RateLimit__PermitsPerSecond")]
    [InlineData("MobileViT:RateLimit:Burst", "0", "MobileViT__RateLimit__Burst")]
    [InlineData("MobileViT:RateLimit:Clients:reader:PermitsPerSecond", "0", "MobileViT__RateLimit__Clients__reader__PermitsPerSecond")]
    public async Task A_bad_key_or_rate_limit_setting_stops_startup_with_an_error_naming_the_key(string key, string value, string named)
    {
        var settings = new Dictionary<string, string>(RunningService.SmallModel()) { [key] = value };
        await using var app = RunningService.Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(named, error.Message);
    }

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
