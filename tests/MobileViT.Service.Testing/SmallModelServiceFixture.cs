using Xunit;

namespace MobileViT.Service.Testing;

/// <summary>One service with synthetic MobileViT-XXS, shared by a test class: 2 instances x 1 thread, batches up to 8.</summary>
public sealed class SmallModelServiceFixture : IAsyncLifetime
{
    public RunningService Service { get; private set; } = null!;

    public async Task InitializeAsync() => Service = await RunningService.StartAsync(new Dictionary<string, string>(RunningService.SmallModel())
    {
        ["MobileViT:Limits:MaxImageBytes"] = "1000000",
        ["MobileViT:Limits:MaxImagePixels"] = "4000000",
    });

    public async Task DisposeAsync() => await Service.DisposeAsync();
}
