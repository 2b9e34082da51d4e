namespace MobileViT.Service.Hosting;

/// <summary>
/// Creates a singleton when the host starts, after start-up validation, rather than at its first use: for services that
/// must be running from the start (the API key store reads and then watches its file).
/// </summary>
internal sealed class StartupActivation<T>(IServiceProvider services) : IHostedService where T : notnull
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<T>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
