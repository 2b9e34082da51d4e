using System.Diagnostics.Metrics;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using MobileViT.Inference.Access;
using MobileViT.Inference.Serving;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Access;

/// <summary>
/// Per-client token buckets in the core's admission, over REST and gRPC alike. The rates are so low (one token per
/// thousand seconds) that no token comes back during a test: what is refused depends on the burst alone.
/// </summary>
public sealed class RateLimitTests
{
    private const string NoisyKey = "key-noisy-4c1f0e";
    private const string QuietKey = "key-quiet-8d27b3";

    [Fact]
    public async Task A_noisy_key_is_limited_over_REST_and_gRPC_while_another_key_is_served()
    {
        await using var keyed = await KeyedService.StartAsync(
            new Dictionary<string, string> { ["MobileViT:RateLimit:PermitsPerSecond"] = "0.001", ["MobileViT:RateLimit:Burst"] = "5" },
            keyFile: $"noisy:{NoisyKey} permits_per_second=0.001 burst=2\nquiet:{QuietKey}\n");
        var limitedBefore = keyed.Requests.ByClient(RequestOutcome.Of(ErrorKind.RateLimited), "noisy");

        Assert.Equal(HttpStatusCode.OK, (await ClassifyAsync(keyed, NoisyKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ClassifyAsync(keyed, NoisyKey)).StatusCode);
        using var limited = await ClassifyAsync(keyed, NoisyKey);
        var grpcLimited = await Assert.ThrowsAsync<RpcException>(() => new Classifier.ClassifierClient(keyed.Channel).ClassifyAsync(
            new ClassifyRequest { Model = KeyedService.Model, Image = ByteString.CopyFrom(TestImages.Png(32, 32)) }, KeyedService.Bearer(NoisyKey)).ResponseAsync);
        // The quiet key has its own bucket (the default: 5) and the noisy key's refusals did not drain it.
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await ClassifyAsync(keyed, QuietKey)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await ClassifyAsync(keyed, QuietKey)).StatusCode);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {limited.Headers.RetryAfter}");
        Assert.Contains("urn:mobilevit:problem:" + ErrorCodes.RateLimited, await limited.Content.ReadAsStringAsync());
        Assert.Equal(StatusCode.ResourceExhausted, grpcLimited.StatusCode);
        Assert.Equal(limitedBefore + 2, keyed.Requests.ByClient(RequestOutcome.Of(ErrorKind.RateLimited), "noisy"));
    }

    [Fact]
    public async Task A_limit_in_configuration_applies_to_the_key_of_that_name()
    {
        await using var keyed = await KeyedService.StartAsync(new Dictionary<string, string>
        {
            ["MobileViT:RateLimit:Clients:reader:PermitsPerSecond"] = "0.001",
            ["MobileViT:RateLimit:Clients:reader:Burst"] = "1",
        });

        Assert.Equal(HttpStatusCode.OK, (await ClassifyAsync(keyed, KeyedService.FileKey)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await ClassifyAsync(keyed, KeyedService.FileKey)).StatusCode);
        // No default limit: the other key is not limited at all.
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await ClassifyAsync(keyed, KeyedService.ConfigKey)).StatusCode);
    }

    [Fact]
    public async Task Without_keys_the_bucket_is_the_client_address_and_the_client_label_stays_anonymous()
    {
        await using var service = await RunningService.StartAsync(new Dictionary<string, string>(RunningService.SmallModel())
        {
            ["MobileViT:RateLimit:PermitsPerSecond"] = "0.001",
            ["MobileViT:RateLimit:Burst"] = "1",
        });
        using var requests = new RequestCounter(service.App.Services.GetRequiredService<IMeterFactory>());

        using var first = await service.Client.PostAsync("v1/models/tiny/classify", ImageContent.Of(TestImages.Png(32, 32), "image/png"));
        using var second = await service.Client.PostAsync("v1/models/tiny/classify", ImageContent.Of(TestImages.Png(32, 32), "image/png"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(1, requests.ByClient(RequestOutcome.Of(ErrorKind.RateLimited), ClientLabel.Anonymous));
    }

    private static Task<HttpResponseMessage> ClassifyAsync(KeyedService keyed, string key) => keyed.SendAsync("POST", "/v1/models/tiny/classify", key);
}
