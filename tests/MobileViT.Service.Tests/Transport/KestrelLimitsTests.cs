using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MobileViT.Service.Tests.Transport;

/// <summary>The Kestrel limits set in appsettings.json are the ones in force, and the server refuses what exceeds them before any endpoint runs.</summary>
public sealed class KestrelLimitsTests(SmallModelServiceFixture fixture) : IClassFixture<SmallModelServiceFixture>
{
    private RunningService Service => fixture.Service;

    [Fact]
    public async Task A_request_whose_headers_exceed_32_KiB_gets_431()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "health/live");
        request.Headers.Add("x-padding", new string('a', 40 * 1024));

        using var response = await Service.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_request_line_over_8_KiB_gets_414()
    {
        using var response = await Service.Client.GetAsync("health/live?padding=" + new string('a', 9 * 1024));

        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
    }

    [Fact]
    public void The_configured_timeouts_and_HTTP2_stream_limit_are_in_force()
    {
        var limits = Service.App.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(TimeSpan.FromSeconds(10), limits.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(130), limits.KeepAliveTimeout);
        Assert.Equal(32 * 1024, limits.MaxRequestHeadersTotalSize);
        Assert.Equal(100, limits.Http2.MaxStreamsPerConnection);
    }
}
