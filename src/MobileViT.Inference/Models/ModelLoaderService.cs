using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Runtime;
using MobileViT.Inference.Sources;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Models;

/// <summary>
/// Loads and warms every configured model in the background, so liveness answers while models load and readiness
/// turns true only once all are warm. A model that cannot be loaded stops the application (the host exits with code 1).
/// </summary>
public sealed class ModelLoaderService(
    MobileViTOptions options,
    ModelRegistry registry,
    ModelSourceResolver resolver,
    SessionFactory sessions,
    InferenceMetrics metrics,
    ModelStatistics statistics,
    ILoggerFactory loggers,
    IHostApplicationLifetime lifetime,
    TimeProvider time) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<ModelLoaderService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        foreach (var model in options.Models)
        {
            try
            {
                var artifacts = await resolver.ResolveAsync(model, stoppingToken).ConfigureAwait(false);
                var served = await Task.Run(() => ServedModel.Load(model, artifacts, options, options.Models.Count, sessions, metrics, statistics, loggers, time,
                    state => registry.MarkProgress(model.Name, state)), stoppingToken)
                    .ConfigureAwait(false);
                metrics.RecordModelLoad(model.Name, served.LoadDuration, served.WarmUpDuration,
                    served.Instances.Select(i => i.ExecutionProvider));
                if (served.Tuning is { } tuning)
                    metrics.RecordTuning(model.Name, tuning);
                registry.MarkLoaded(served);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                registry.MarkFailed(model.Name, e.Message);
                ModelLog.LoadFailed(_logger, e, model.Name, model.Source, e.Message);
                // Stopping while the host is still starting would make start-up itself fail with a cancellation
                // instead of a clean stop with exit code 1; so stop once started (at once if it already has).
                lifetime.ApplicationStarted.Register(lifetime.StopApplication);
                return;
            }
        }
        ModelLog.AllReady(_logger, options.Models.Count);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await registry.DrainAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        await registry.UnloadAllAsync().ConfigureAwait(false);
    }
}
