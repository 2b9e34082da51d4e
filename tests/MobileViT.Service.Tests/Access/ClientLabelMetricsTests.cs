using System.Net;

namespace MobileViT.Service.Tests.Access;

/// <summary>The <c>client</c> label reaches Prometheus as the key's name; no key does.</summary>
public sealed class ClientLabelMetricsTests
{
    [Fact]
    public async Task Metrics_label_requests_with_the_keys_name_and_never_contain_a_key()
    {
        // Its own service: the first scrape after the traffic, not one the exporter cached earlier.
        await using var keyed = await KeyedService.StartAsync();
        using var refused = await keyed.SendAsync("POST", "/v1/models/tiny/classify", KeyedService.WrongKey);
        using var served = await keyed.SendAsync("POST", "/v1/models/tiny/classify", KeyedService.FileKey);

        using var metrics = await keyed.SendAsync("GET", "/metrics", KeyedService.ConfigKey);
        var text = await metrics.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("client=\"reader\"", text);
        Assert.Contains("client=\"unauthenticated\"", text);
        foreach (var key in new[] { KeyedService.FileKey, KeyedService.ConfigKey, KeyedService.WrongKey })
            Assert.DoesNotContain(key, text);
    }
}
