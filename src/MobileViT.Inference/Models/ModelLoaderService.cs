using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models.Repository;

namespace MobileViT.Inference.Models;

/// <summary>
/// Loads and warms every model in the background, side by side: the configured ones and the repository's. Liveness
/// answers while they load; readiness turns true once loading is over. A configured model that cannot be loaded stops
/// the application (the host exits with code 1); a repository model that cannot is reported and the others serve.
/// With <c>MobileViT:Repository:Control=poll</c> the repository is then re-read every poll interval.
/// </summary>
public sealed class ModelLoaderService(
    MobileViTOptions options,
    ModelRegistry registry,
    VersionSwitcher switcher,
    ModelRepository repository,
    ILoggerFactory loggers,
    IHostApplicationLifetime lifetime,
    TimeProvider time) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<ModelLoaderService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        MemoryRelease.Configure();
        var configured = registry.Models.Where(m => m.Configured is not null).Select(m => LoadConfiguredAsync(m, stoppingToken)).ToList();
        try
        {
            await Task.WhenAll(configured.Append(repository.LoadAllAsync(stoppingToken))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        if (configured.Any(c => !c.Result))
        {
            // Stopping while the host is still starting would make start-up itself fail with a cancellation
            // instead of a clean stop with exit code 1; so stop once started (at once if it already has).
            lifetime.ApplicationStarted.Register(lifetime.StopApplication);
            return;
        }
        // The poll interval counts from here, before readiness: a clock advanced once the service is ready reaches the first poll.
        using var polls = repository.Polls ? new PeriodicTimer(options.Repository.PollInterval, time) : null;
        registry.MarkStarted();
        ModelLog.AllReady(_logger, registry.Models.Count(m => m.Default is not null));
        if (polls is not null)
            await PollAsync(polls, stoppingToken).ConfigureAwait(false);
    }

    /// <summary>Loads one configured model; false (after saying why) when it cannot be loaded.</summary>
    private async Task<bool> LoadConfiguredAsync(LiveModel model, CancellationToken stoppingToken)
    {
        try
        {
            await switcher.LoadConfiguredAsync(model, stoppingToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            registry.MarkStartFailed(model.Name, e.Message);
            ModelLog.LoadFailed(_logger, e, model.Name, model.Configured!.Source, e.Message);
            return false;
        }
    }

    private async Task PollAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await repository.PollAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    ModelLog.RepositoryUnreadable(_logger, repository.Root!, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await registry.DrainAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        await registry.UnloadAllAsync().ConfigureAwait(false);
    }
}
