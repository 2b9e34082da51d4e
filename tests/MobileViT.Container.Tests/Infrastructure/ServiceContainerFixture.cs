namespace MobileViT.Container.Tests.Infrastructure;

/// <summary>One service container shared by a test class.</summary>
public sealed class ServiceContainerFixture : IAsyncLifetime
{
    private ServiceContainer? _service;

    public ServiceContainer Service => _service ?? throw new InvalidOperationException("The container has not started.");

    public async Task InitializeAsync() => _service = await ServiceContainer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_service is not null)
            await _service.DisposeAsync();
    }
}
