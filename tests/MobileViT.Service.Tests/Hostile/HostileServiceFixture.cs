using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Hostile;

/// <summary>
/// One real service for hostile requests: synthetic XXS (one instance, batches up to 4) with small limits, so that
/// limits are reached with small bodies: images up to <see cref="MaxImageBytes"/>, <see cref="MaxImages"/> per request,
/// and a request memory budget of <see cref="BudgetBytes"/> that the hostile requests never fill (they are refused by
/// the limits first). Every log entry at Warning or above is kept, to show that client faults log no error.
/// </summary>
public sealed class HostileServiceFixture : IAsyncLifetime
{
    public const string Model = "hostile";
    public const int MaxImageBytes = 300_000;
    public const int MaxImages = 4;
    public const long BudgetBytes = 256L << 20;

    public CapturedLogs Logs { get; } = new();
    public RunningService Service { get; private set; } = null!;
    public GrpcChannel Channel { get; private set; } = null!;
    public RawHttpClient Raw { get; private set; } = null!;

    public static IReadOnlyDictionary<string, string> Settings(long budgetBytes = BudgetBytes) => new Dictionary<string, string>
    {
        ["MobileViT:Models:0:Name"] = Model,
        ["MobileViT:Models:0:Source"] = "synthetic:xxs",
        ["MobileViT:Batching:MaxBatchSize"] = "4",
        ["MobileViT:Execution:Providers"] = "CPU",
        ["MobileViT:Execution:Instances"] = "1",
        ["MobileViT:Execution:IntraOpThreads"] = "1",
        ["MobileViT:Limits:MaxImageBytes"] = MaxImageBytes.ToString(),
        ["MobileViT:Limits:MaxImagesPerRequest"] = MaxImages.ToString(),
        ["MobileViT:Limits:MaxImagePixels"] = "4000000",
        ["MobileViT:Limits:RequestMemoryBytes"] = budgetBytes.ToString(),
    };

    public async Task InitializeAsync()
    {
        Service = await RunningService.StartAsync(Settings(), configure: builder => builder.Logging.AddProvider(Logs));
        Channel = Service.CreateGrpcChannel();
        Raw = new RawHttpClient(Service.BaseAddress);
    }

    /// <summary>Entries at Error or above: a client fault must never produce one.</summary>
    public IReadOnlyList<string> Errors() =>
        Logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message} {e.Exception}").ToList();

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Service.DisposeAsync();
    }
}
