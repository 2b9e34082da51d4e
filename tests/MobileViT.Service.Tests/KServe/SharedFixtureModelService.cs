using Grpc.Net.Client;

namespace MobileViT.Service.Tests.KServe;

/// <summary>
/// One service for a test class, serving the shared fixture directory (a PyTorch-exported MobileViT-XXS) as the
/// local model <see cref="Model"/>: 2 CPU instances, batches up to 8. Tests that read cumulative statistics compare
/// before and after, so they can share it.
/// </summary>
public sealed class SharedFixtureModelService : IAsyncLifetime
{
    public const string Model = "seed7";

    public RunningService Service { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public static float[] ProbeInput { get; } = SharedFixtures.ReadFloats(Path.Combine(SharedFixtures.MobileViTXxsSeed7, "probe_input.f32"));

    public static float[] ProbeLogits { get; } = SharedFixtures.ReadFloats(Path.Combine(SharedFixtures.MobileViTXxsSeed7, "probe_logits.f32"));

    public async Task InitializeAsync()
    {
        // OnnxFile set: the PyTorch export itself, not a graph built from the directory's weights.
        Service = await RunningService.StartAsync(new Dictionary<string, string>(RunningService.SmallModel(Model, SharedFixtures.MobileViTXxsSeed7))
        {
            ["MobileViT:Models:0:OnnxFile"] = "onnx/model.onnx",
        });
        Channel = Service.CreateGrpcChannel();
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Service.DisposeAsync();
    }

    public static void AssertProbeLogits(IReadOnlyList<float> logits)
    {
        Assert.Equal(ProbeLogits.Length, logits.Count);
        var worst = ProbeLogits.Select((expected, i) => Math.Abs(expected - logits[i])).Max();
        Assert.True(worst < 1e-3, $"largest difference from the reference logits: {worst}");
    }
}
