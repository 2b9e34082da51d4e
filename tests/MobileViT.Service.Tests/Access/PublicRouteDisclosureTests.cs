using System.Net;
using System.Text.Json;

namespace MobileViT.Service.Tests.Access;

/// <summary>
/// With keys configured, what answers without a key says nothing about which models or keys exist: health bodies carry
/// only their status, and <c>/metrics</c> needs a key unless <c>ProtectMetrics</c> is turned off.
/// </summary>
public sealed class PublicRouteDisclosureTests(KeyedServiceFixture fixture) : IClassFixture<KeyedServiceFixture>
{
    private KeyedService Keyed => fixture.Keyed;

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/startup")]
    [InlineData("/health/ready")]
    public async Task A_health_body_without_a_key_is_only_its_status_and_with_a_key_names_the_checks(string path)
    {
        using var anonymous = await Keyed.SendAsync("GET", path, key: null);
        using var keyed = await Keyed.SendAsync("GET", path, KeyedService.FileKey);

        var anonymousBody = await anonymous.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(["status"], JsonDocument.Parse(anonymousBody).RootElement.EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain(KeyedService.Model, anonymousBody);
        Assert.True(JsonDocument.Parse(await keyed.Content.ReadAsStringAsync()).RootElement.TryGetProperty("checks", out _));
    }

    [Fact]
    public async Task Metrics_need_a_key_by_default()
    {
        using var anonymous = await Keyed.SendAsync("GET", "/metrics", key: null);
        using var keyed = await Keyed.SendAsync("GET", "/metrics", KeyedService.FileKey);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keyed.StatusCode);
    }

    [Fact]
    public async Task Metrics_are_open_again_with_protect_metrics_off()
    {
        await using var open = await KeyedService.StartAsync(new Dictionary<string, string> { ["MobileViT:Auth:ProtectMetrics"] = "false" });

        using var anonymous = await open.SendAsync("GET", "/metrics", key: null);

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
    }
}
