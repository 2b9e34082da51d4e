using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MobileViT.Inference.Models;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.RequestPath;

/// <summary>
/// One real service for the protocol table: model <see cref="Model"/> (synthetic XXS, one instance, batches of one,
/// a queue of <see cref="QueueCapacity"/>, a 1 s default deadline) on a fake clock, and model <see cref="Pending"/>
/// that never finishes loading (its hub accepts the connection and never answers).
/// </summary>
public sealed class RequestPathFixture : IAsyncLifetime
{
    public const string Model = "table";
    public const string Pending = "pending";
    public const int QueueCapacity = 2;
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(1);

    private readonly SilentEndpoint _hub = new();
    private readonly string _cache = Directory.CreateTempSubdirectory("request-path-cache-").FullName;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public CapturedLogs Logs { get; } = new();
    public RequestCounter Requests { get; } = new();
    public RunningService Service { get; private set; } = null!;
    public ServedModel Served { get; private set; } = null!;
    public GrpcChannel Channel { get; private set; } = null!;
    public ProtocolClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string>
        {
            ["MobileViT:Models:0:Name"] = Model,
            ["MobileViT:Models:0:Source"] = "synthetic:xxs",
            ["MobileViT:Models:1:Name"] = Pending,
            ["MobileViT:Models:1:Source"] = "hf:test/pending",
            ["MobileViT:HuggingFace:Endpoint"] = _hub.Url,
            ["MobileViT:HuggingFace:CacheDirectory"] = _cache,
            ["MobileViT:Batching:MaxBatchSize"] = "1",
            ["MobileViT:Batching:QueueCapacity"] = QueueCapacity.ToString(),
            ["MobileViT:Batching:RequestTimeoutMs"] = ((int)DefaultDeadline.TotalMilliseconds).ToString(),
            ["MobileViT:Execution:Providers"] = "CPU",
            ["MobileViT:Execution:Instances"] = "1",
            ["MobileViT:Execution:IntraOpThreads"] = "1",
        };
        Service = await RunningService.StartAsync(settings, waitUntilReady: false, configure: builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(Clock);
            builder.Logging.AddProvider(Logs);
            builder.WebHost.ConfigureKestrel(kestrel =>
                kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(1.5)));
        });
        await Service.Registry.WhenLoaded(Model).WaitAsync(TimeSpan.FromMinutes(3));
        Service.Registry.TryGetLoaded(Model, out var served);
        Served = served;
        Channel = Service.CreateGrpcChannel();
        Client = new ProtocolClient(Service.Client, Channel);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Service.DisposeAsync();
        Requests.Dispose();
        _hub.Dispose();
        Directory.Delete(_cache, recursive: true);
    }
}
