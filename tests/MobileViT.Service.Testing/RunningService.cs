using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Grpc.Net.Client;
using MobileViT.Inference.Models;
using MobileViT.Service.Transport;
using MobileViT.Service.Hosting;

namespace MobileViT.Service.Testing;

/// <summary>The real service on a real Kestrel listener on a free loopback port, configured through command-line settings as an operator would.</summary>
public sealed class RunningService : IAsyncDisposable
{
    private RunningService(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public HttpClient Client { get; }
    public ModelRegistry Registry => App.Services.GetRequiredService<ModelRegistry>();

    /// <summary>The gRPC (HTTP/2 cleartext) endpoint's bound address.</summary>
    public Uri GrpcAddress => App.Services.GetRequiredService<GrpcEndpoint>().Address
        ?? throw new InvalidOperationException("The Grpc endpoint is not bound.");

    /// <summary>A channel to the gRPC endpoint over a real HTTP/2 loopback connection; dispose it after use.</summary>
    public GrpcChannel CreateGrpcChannel() => GrpcChannel.ForAddress(GrpcAddress, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });

    public static IReadOnlyDictionary<string, string> SmallModel(string name = "tiny", string source = "synthetic:xxs") => new Dictionary<string, string>
    {
        ["MobileViT:Models:0:Name"] = name,
        ["MobileViT:Models:0:Source"] = source,
        ["MobileViT:Batching:MaxBatchSize"] = "8",
        ["MobileViT:Execution:Providers"] = "CPU",
        ["MobileViT:Execution:Instances"] = "2",
        ["MobileViT:Execution:IntraOpThreads"] = "1",
    };

    /// <summary>
    /// One slow instance (synthetic MobileViT-S, batch size 1) behind a small queue: small images arrive far faster than
    /// they are served, so queues fill and deadlines pass while requests wait. <see cref="RequestsAhead"/> requests
    /// (one running, the rest queued) keep the queue non-empty for a few hundred milliseconds. Wait-aware admission is
    /// off: these settings show what the queue itself does (full queues, deadlines passing in it), which a client meets
    /// when admission is off or the server slows after admitting.
    /// </summary>
    public const int RequestsAhead = 5;

    public static IReadOnlyDictionary<string, string> SlowModel() => new Dictionary<string, string>
    {
        ["MobileViT:Models:0:Name"] = "slow",
        ["MobileViT:Models:0:Source"] = "synthetic:s",
        ["MobileViT:Batching:MaxBatchSize"] = "1",
        ["MobileViT:Batching:QueueCapacity"] = "8",
        ["MobileViT:Batching:WaitAwareAdmission"] = "false",
        ["MobileViT:Execution:Providers"] = "CPU",
        ["MobileViT:Execution:Instances"] = "1",
        ["MobileViT:Execution:IntraOpThreads"] = "1",
    };

    /// <summary>
    /// Starts the service and waits until every model is loaded and warm and the service's own warm-up requests are done.
    /// <paramref name="map"/> adds endpoints to the
    /// built application before it starts, as a later change to the service would.
    /// </summary>
    public static async Task<RunningService> StartAsync(IReadOnlyDictionary<string, string> settings, string environment = "Production",
        bool waitUntilReady = true, Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var app = Build(settings, environment, configure);
        map?.Invoke(app);
        await app.StartAsync();
        var grpcPort = app.Services.GetRequiredService<GrpcEndpoint>().Address?.Port;
        var service = new RunningService(app, new Uri(app.Urls.First(u => u.StartsWith("http://", StringComparison.Ordinal) && new Uri(u).Port != grpcPort) + "/"));
        if (waitUntilReady)
        {
            await service.Registry.WhenAllLoaded.WaitAsync(TimeSpan.FromMinutes(3));
            // Then the service's own warm-up requests, so that a test's counts start after them.
            await service.Registry.ReadinessGate.WaitAsync(TimeSpan.FromMinutes(1));
        }
        return service;
    }

    public static WebApplication Build(IReadOnlyDictionary<string, string> settings, string environment = "Production",
        Action<WebApplicationBuilder>? configure = null)
    {
        var args = new List<string> { "--environment", environment, "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0", "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning" };
        args.AddRange(settings.Select(s => $"--{s.Key}={s.Value}"));
        return MobileViTApp.Create(args.ToArray(), configure);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
