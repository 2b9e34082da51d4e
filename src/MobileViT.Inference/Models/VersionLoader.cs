using Microsoft.Extensions.Logging;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Limits;
using MobileViT.Inference.Runtime;
using MobileViT.Inference.Sources;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Models;

/// <summary>
/// Loads one version of a model: obtains its files, creates, tunes (when configured) and warms its sessions and
/// batcher, moving its <see cref="ModelEntry"/> through <see cref="ModelState.Loading"/>, <see cref="ModelState.Tuning"/>,
/// <see cref="ModelState.Warming"/> to <see cref="ModelState.Ready"/>, or to <see cref="ModelState.Failed"/> with the reason.
/// </summary>
public sealed class VersionLoader(
    MobileViTOptions options,
    ModelSourceResolver resolver,
    SessionFactory sessions,
    InferenceMetrics metrics,
    ModelStatistics statistics,
    ILoggerFactory loggers,
    TimeProvider time,
    RequestMemoryReclaimer reclaimer)
{
    /// <summary>
    /// Loads <paramref name="entry"/>'s version; <paramref name="verify"/>, when given, runs once its files have been
    /// read and returns why they cannot be used (e.g. they changed while being read), or null; <paramref name="beside"/>:
    /// another version serves meanwhile. Throws when loading fails.
    /// </summary>
    internal async Task<ServedModel> LoadAsync(ModelEntry entry, int modelCount, Func<string?>? verify, bool beside, CancellationToken cancellationToken)
    {
        try
        {
            var artifacts = await resolver.ResolveAsync(entry.Options, cancellationToken).ConfigureAwait(false);
            if (verify?.Invoke() is { } problem)
                throw new ModelSourceException(problem);
            var served = await OnOwnThread(() => ServedModel.Load(entry.Options, entry.Version, artifacts, options, Math.Max(1, modelCount), sessions,
                    metrics, statistics, loggers, time, state => entry.MoveTo(state), beside), cancellationToken)
                .ConfigureAwait(false);
            metrics.RecordModelLoad(entry.Name, served.LoadDuration, served.WarmUpDuration, served.Instances.Select(i => i.ExecutionProvider));
            if (served.Tuning is { } tuning)
                metrics.RecordTuning(entry.Name, tuning);
            entry.MoveTo(ModelState.Ready, served);
            return served;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            entry.MoveTo(ModelState.Unloaded);
            throw;
        }
        catch (Exception e)
        {
            entry.MoveTo(ModelState.Failed, error: e.Message);
            throw;
        }
    }

    /// <summary>
    /// Disposes a loaded version and gives its memory back: its sessions' large blocks at once (see
    /// <see cref="MemoryRelease"/>), the managed heap's and glibc arenas' free space once requests are quiet (a
    /// compacting collection and <c>malloc_trim</c> would stall the requests being served); its instances no longer count.
    /// </summary>
    internal async Task UnloadAsync(ServedModel model)
    {
        await model.Batcher.DisposeAsync().ConfigureAwait(false);
        await OnOwnThread(model.DisposeInstances).ConfigureAwait(false);
        metrics.RecordModelUnload(model.Name, model.Instances.Select(i => i.ExecutionProvider));
        reclaimer.CollectWhenQuiet();
    }

    /// <summary>
    /// Runs synchronous work of a second or more (creating and warming sessions, releasing them) on a thread of its
    /// own rather than the thread pool's: on a small machine the pool has as few threads as cores, and one held that
    /// long slows every request until the pool notices and grows.
    /// </summary>
    private static Task<T> OnOwnThread<T>(Func<T> work, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static Task OnOwnThread(Action work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
