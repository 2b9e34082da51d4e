namespace MobileViT.Service.Tests.Access;

/// <summary>One <see cref="KeyedService"/> shared by a test class that does not change its keys.</summary>
public sealed class KeyedServiceFixture : IAsyncLifetime
{
    public KeyedService Keyed { get; private set; } = null!;

    public async Task InitializeAsync() => Keyed = await KeyedService.StartAsync();

    public async Task DisposeAsync() => await Keyed.DisposeAsync();
}
