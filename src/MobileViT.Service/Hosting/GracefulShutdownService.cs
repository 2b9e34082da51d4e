using System.Diagnostics;
using Microsoft.Extensions.Options;
using MobileViT.Inference.Models;

namespace MobileViT.Service.Hosting;

/// <summary>
/// Orders shutdown so that no admitted request is lost. The host calls <see cref="StoppingAsync"/> on SIGTERM, after
/// ApplicationStopping and before any hosted service (the HTTP server included) stops: readiness turns false, after
/// the grace period new requests are refused (503 / UNAVAILABLE), and it returns once everything admitted has run or
/// the drain timeout has passed. Only then does Kestrel stop, sending the last responses.
/// </summary>
internal sealed class GracefulShutdownService(ModelRegistry registry, IOptions<ShutdownOptions> options, ILogger<GracefulShutdownService> logger)
    : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        registry.BeginDraining();
        if (settings.ReadinessGracePeriod > TimeSpan.Zero)
        {
            ShutdownLog.GracePeriod(logger, settings.ReadinessGracePeriodSeconds);
            try
            {
                await Task.Delay(settings.ReadinessGracePeriod, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The host's shutdown timeout passed: drain what can be drained in what is left.
            }
        }

        var started = Stopwatch.GetTimestamp();
        var drain = registry.DrainAsync();
        ShutdownLog.Draining(logger, registry.Loaded.Sum(m => m.Batcher.QueueDepth), registry.Loaded.Sum(m => m.Batcher.BatchesInFlight), settings.DrainTimeoutSeconds);
        try
        {
            await drain.WaitAsync(settings.DrainTimeout, cancellationToken).ConfigureAwait(false);
            ShutdownLog.Drained(logger, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            ShutdownLog.DrainTimedOut(logger, settings.DrainTimeoutSeconds, registry.Loaded.Sum(m => m.Batcher.QueueDepth),
                registry.Loaded.Sum(m => m.Batcher.BatchesInFlight));
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
