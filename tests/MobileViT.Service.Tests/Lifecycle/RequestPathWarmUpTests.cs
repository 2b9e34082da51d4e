using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MobileViT.Inference.Serving;
using KeyedService = MobileViT.Service.Tests.Access.KeyedService;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Lifecycle;

/// <summary>
/// Before it reports ready, the service sends itself one real request per inference protocol over loopback, even with
/// API keys configured (it authenticates with a secret of its own process), so the first client's request does not pay
/// for the first pass through each path. Nobody outside the process can use that way in.
/// </summary>
public sealed class RequestPathWarmUpTests
{
    [Fact]
    public async Task Readiness_follows_one_successful_request_per_protocol_that_the_service_sent_itself()
    {
        RequestCounter? requests = null;
        await using var keyed = await KeyedService.StartAsync(map: app => requests = new RequestCounter(app.Services.GetRequiredService<IMeterFactory>()));
        using var _ = requests;

        using var ready = await keyed.SendAsync("GET", "/health/ready", key: null);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        // REST classify and batch and V2 REST infer over HTTP, the classifier and V2 ModelInfer over gRPC.
        Assert.Equal(5, requests!.ByClient(RequestOutcome.Success, "warm-up"));
        Assert.Equal(3, requests.For(KeyedService.Model).Where(c => c.Key.Protocol == "http").Sum(c => c.Value));
        Assert.Equal(2, requests.For(KeyedService.Model).Where(c => c.Key.Protocol == "grpc").Sum(c => c.Value));
    }

    [Fact]
    public async Task A_guessed_warm_up_secret_is_just_a_missing_key()
    {
        await using var keyed = await KeyedService.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.Add("x-mobilevit-warm-up", new string('0', 64));

        using var response = await keyed.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
