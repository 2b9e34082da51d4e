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
public sealed class GracefulShutdownService(ModelRegistry registry, IOptions<ShutdownOptions> options, ILogger<GracefulShutdownService> logger)
    : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        registry.BeginDraining();
        if (settings.ReadinessGracePeriod > TimeSpan.Zero)
        {
            logger.LogInformation("Shutting down: readiness is false; still serving for the {Grace} s grace period", settings.ReadinessGracePeriodSeconds);
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
        logger.LogInformation("Shutting down: refusing new requests; draining {Queued} queued request(s) and {Batches} running batch(es), for at most {Timeout} s",
            registry.Loaded.Sum(m => m.Batcher.QueueDepth), registry.Loaded.Sum(m => m.Batcher.BatchesInFlight), settings.DrainTimeoutSeconds);
        try
        {
            await drain.WaitAsync(settings.DrainTimeout, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Drained in {Elapsed:0} ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            logger.LogWarning("Drain timeout ({Timeout} s) passed with {Queued} request(s) still queued and {Batches} batch(es) running; stopping anyway",
                settings.DrainTimeoutSeconds, registry.Loaded.Sum(m => m.Batcher.QueueDepth), registry.Loaded.Sum(m => m.Batcher.BatchesInFlight));
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
