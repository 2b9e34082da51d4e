using System.Net.Http.Json;
using System.Text.Json;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Http;

public sealed class StatsApiTests(SmallModelServiceFixture fixture) : IClassFixture<SmallModelServiceFixture>
{
    private HttpClient Client => fixture.Service.Client;

    private async Task<JsonElement> TinyAsync()
    {
        var stats = await Client.GetFromJsonAsync<JsonElement>("v1/stats");
        return stats.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "tiny");
    }

    [Fact]
    public async Task Stats_count_classify_requests_and_describe_the_loaded_model()
    {
        var before = (await TinyAsync()).GetProperty("traffic").GetProperty("totalRequests").GetInt64();
        for (var i = 0; i < 3; i++)
        {
            using var body = ImageContent.Of(TestImages.Jpeg(seed: i));
            using var response = await Client.PostAsync("v1/classify", body);
            response.EnsureSuccessStatusCode();
        }

        var tiny = await TinyAsync();
        var traffic = tiny.GetProperty("traffic");
        Assert.True(traffic.GetProperty("totalRequests").GetInt64() >= before + 3);
        Assert.True(traffic.GetProperty("requestsPerSecond").GetDouble() > 0);
        Assert.True(traffic.GetProperty("latencyP50Ms").GetDouble() > 0);
        Assert.InRange(traffic.GetProperty("meanBatchSize").GetDouble(), 1, 8);
        Assert.Equal(60, traffic.GetProperty("requestsPerSecondHistory").GetArrayLength());
        Assert.True(tiny.GetProperty("synthetic").GetBoolean());
        Assert.Equal("CPU", tiny.GetProperty("executionProvider").GetString());
        Assert.Equal(2, tiny.GetProperty("instances").GetArrayLength());
        Assert.Equal(256, tiny.GetProperty("preprocessing").GetProperty("cropWidth").GetInt32());
    }

    [Fact]
    public async Task The_root_serves_the_page_and_swagger_stays_at_slash_swagger()
    {
        using var page = await Client.GetAsync("");
        page.EnsureSuccessStatusCode();
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/ui/app.js", await page.Content.ReadAsStringAsync());
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());

        using var swagger = await Client.GetAsync("swagger/index.html");
        swagger.EnsureSuccessStatusCode();
    }
}
