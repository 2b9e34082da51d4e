using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Models;
using MobileViT.Inference.Serving;
using MobileViT.Service.Tests.Infrastructure;
using MobileViT.Service.Tests.RequestPath;

namespace MobileViT.Service.Tests.Overload;

/// <summary>
/// One real service for the overload tests: model <see cref="Model"/> (synthetic XXS, one instance, batches of one,
/// a normal queue of <see cref="QueueCapacity"/>, a 1 s default deadline) on a fake clock. The model is "slowed down"
/// by <see cref="GateInput"/>s that hold its worker while the clock moves: the batcher then measures batches of
/// exactly the length a test chooses, and its drain-rate estimate is exact. Too few admissions are calibrated here for
/// the margin to be anything but the configured uncalibrated one (1.25).
/// </summary>
public sealed class OverloadFixture : IAsyncLifetime
{
    public const string Model = "overload";
    public const int QueueCapacity = 20;
    public const int DrainRateWindowMs = 5_000;
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(1);

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public RequestCounter Requests { get; } = new();
    public RunningService Service { get; private set; } = null!;
    public ServedModel Served { get; private set; } = null!;
    public DynamicBatcher Batcher => Served.Batcher;
    public GrpcChannel Channel { get; private set; } = null!;
    public ProtocolClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string>
        {
            ["MobileViT:Models:0:Name"] = Model,
            ["MobileViT:Models:0:Source"] = "synthetic:xxs",
            ["MobileViT:Batching:MaxBatchSize"] = "1",
            ["MobileViT:Batching:QueueCapacity"] = QueueCapacity.ToString(),
            ["MobileViT:Batching:RequestTimeoutMs"] = ((int)DefaultDeadline.TotalMilliseconds).ToString(),
            ["MobileViT:Batching:DrainRateWindowMs"] = DrainRateWindowMs.ToString(),
            ["MobileViT:Batching:AdmissionCalibrationWindowMs"] = DrainRateWindowMs.ToString(),
            ["MobileViT:Batching:WaitEstimateSafetyFactor"] = "1.25",
            ["MobileViT:Execution:Providers"] = "CPU",
            ["MobileViT:Execution:Instances"] = "1",
            ["MobileViT:Execution:IntraOpThreads"] = "1",
        };
        Service = await RunningService.StartAsync(settings, configure: builder => builder.Services.AddSingleton<TimeProvider>(Clock));
        Service.Registry.TryGetLoaded(Model, out var served);
        Served = served;
        Channel = Service.CreateGrpcChannel();
        Client = new ProtocolClient(Service.Client, Channel);
    }

    /// <summary>
    /// Forgets every earlier measurement (the clock moves past the estimator's and the calibration's window) and runs
    /// <paramref name="batches"/> batches of one that each keep the worker busy for <paramref name="batchTime"/>:
    /// the drain rate becomes exactly 1 / <paramref name="batchTime"/> images per second.
    /// </summary>
    public async Task SlowDownAsync(TimeSpan batchTime, int batches = 3)
    {
        Clock.Advance(TimeSpan.FromMilliseconds(DrainRateWindowMs + 1_000));
        for (var i = 0; i < batches; i++)
        {
            var gate = new GateInput();
            var run = Batcher.InferAsync(gate, new InferenceCallOptions(TimeSpan.FromDays(1)), CancellationToken.None);
            await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Clock.Advance(batchTime);
            gate.Release();
            await run;
        }
        var rate = Batcher.DrainRate!.Value;
        Assert.Equal(1 / batchTime.TotalSeconds, rate.ImagesPerSecond, 6);
    }

    /// <summary>
    /// Holds the worker in a gate and queues <paramref name="queued"/> more gates at <paramref name="priority"/> behind
    /// it, each due after the default deadline like the requests a test sends next (so they go first).
    /// </summary>
    public async Task<HeldModel> HoldAsync(int queued, RequestPriority priority = RequestPriority.Normal)
    {
        var held = new HeldModel(this);
        await held.AddAsync(1, RequestPriority.Normal, waitUntilRunning: true);
        await held.AddAsync(queued, priority, waitUntilRunning: false);
        return held;
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Service.DisposeAsync();
        Requests.Dispose();
    }
}

/// <summary>The model's worker held inside a gate with more gates queued behind it; disposing releases them all.</summary>
public sealed class HeldModel(OverloadFixture fixture) : IAsyncDisposable
{
    private readonly List<(GateInput Gate, Task Run)> _gates = [];

    public IReadOnlyList<GateInput> Gates => _gates.Select(g => g.Gate).ToList();

    public async Task AddAsync(int count, RequestPriority priority, bool waitUntilRunning)
    {
        for (var i = 0; i < count; i++)
        {
            var gate = new GateInput();
            _gates.Add((gate, fixture.Batcher.InferAsync(gate, new InferenceCallOptions(OverloadFixture.DefaultDeadline, Priority: priority), CancellationToken.None)));
            if (waitUntilRunning)
                await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Lets the gates run one after another, each keeping the worker busy for <paramref name="batchTime"/> on the fake clock.</summary>
    public async Task RunEachForAsync(TimeSpan batchTime)
    {
        foreach (var (gate, run) in _gates)
        {
            await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
            fixture.Clock.Advance(batchTime);
            gate.Release();
            await run;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (gate, _) in _gates)
            gate.Release();
        await Task.WhenAll(_gates.Select(g => g.Run));
    }
}
