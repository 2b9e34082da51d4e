using Microsoft.Extensions.Logging;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Preprocessing;
using MobileViT.Inference.Serving;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Models.Shadow;

/// <summary>
/// Runs a sample of a model's live requests on its shadow version as well, and compares the answers
/// (<see cref="ShadowAgreement"/>). Off the request's path: the request's answer is already computed when it is offered,
/// what the shadow needs is copied, and the shadow runs on the thread pool at low priority in its own queue. It never
/// delays or fails the real answer and is dropped first: not run while the default version has requests waiting, nor
/// beyond what the shadow's instances can hold at once.
/// </summary>
public sealed class ShadowEvaluator(ModelRegistry registry, ModelVersionMetrics metrics, MobileViTOptions options, TimeProvider time,
    ILogger<ShadowEvaluator> logger)
{
    private readonly Lock _idleLock = new();
    private TaskCompletionSource? _idle;
    private int _inFlight;

    /// <summary>Samples handed to the shadow and not yet compared.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Offers a request that the default version has just answered (<paramref name="response"/>) to the model's
    /// shadow, if it has one and the request is sampled. Returns at once; <paramref name="input"/> may be reused after.
    /// </summary>
    internal void Offer(ModelLease lease, InferenceInput input, InferenceResponse response)
    {
        if (lease.Shadow is not { } shadow || (lease.ShadowSample < 1 && Random.Shared.NextDouble() >= lease.ShadowSample))
            return;
        var primary = lease.Model;
        var pair = registry.Shadows.For(primary.Name, primary.Version, shadow.Version);
        var answered = response.Samples.Select((sample, index) => (sample, index)).Where(s => s.sample.Error is null).ToList();
        if (answered.Count == 0)
            return;
        if (primary.Batcher.QueueDepth > 0)
        {
            Dropped(pair, answered.Count, "busy");
            return;
        }
        var capacity = shadow.Instances.Count * shadow.MaxBatchSize;
        if (Interlocked.Add(ref _inFlight, answered.Count) > capacity)
        {
            Dropped(pair, answered.Count, "full");
            Finished(answered.Count);
            return;
        }
        // Copied now: the adapter may reuse the request's memory as soon as its scope has the response.
        var jobs = answered.Select(s => (Input: Copy(input, s.index, primary.Signature.SampleLength), Logits: s.sample.Inference!.Logits)).ToList();
        _ = Task.Run(() => RunAsync(shadow, pair, jobs));
    }

    /// <summary>Completes when no sample is on its way to a shadow (at once if none is).</summary>
    public Task WhenIdleAsync()
    {
        lock (_idleLock)
        {
            if (Volatile.Read(ref _inFlight) == 0)
                return Task.CompletedTask;
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }

    private async Task RunAsync(ServedModel shadow, ShadowAgreement pair, List<(object Input, float[] Logits)> jobs)
    {
        foreach (var (input, logits) in jobs)
        {
            try
            {
                if (!shadow.Leases.TryAcquire())
                {
                    Dropped(pair, 1, "gone");
                    continue;
                }
                try
                {
                    var started = time.GetTimestamp();
                    var result = await shadow.Batcher.InferAsync(ToBatchInput(shadow, input),
                        new InferenceCallOptions(TimeSpan.FromMilliseconds(options.Batching.RequestTimeoutMs), started, RequestPriority.Low),
                        CancellationToken.None).ConfigureAwait(false);
                    var elapsed = time.GetElapsedTime(started);
                    pair.Record(logits, result.Logits, elapsed);
                    metrics.RecordShadowComparison(pair, elapsed);
                }
                finally
                {
                    shadow.Leases.Release();
                }
            }
            catch (Exception e)
            {
                // A full or draining shadow queue is the shadow being dropped under load; anything else is its failure.
                var kind = InferenceException.KindOf(e);
                if (kind is ErrorKind.QueueFull or ErrorKind.Unavailable or ErrorKind.DeadlineExceeded)
                {
                    Dropped(pair, 1, "busy");
                }
                else
                {
                    pair.RecordFailed();
                    metrics.RecordShadowDropped(pair, 1, "failed");
                    ShadowLog.Failed(logger, pair.Model, pair.ShadowVersion, e.Message);
                }
            }
            finally
            {
                Finished(1);
            }
        }
    }

    /// <summary>The sample as the shadow takes it: an encoded image is preprocessed by the shadow's own preprocessor (its version may change it).</summary>
    private static IBatchInput ToBatchInput(ServedModel shadow, object input)
    {
        if (input is float[] pixels)
            return new PixelInput(pixels);
        var image = (byte[])input;
        if (shadow.Preprocessing == PreprocessingPlacement.Worker)
            return new EncodedImageInput(shadow.Preprocessor, image);
        var tensor = new float[shadow.Signature.SampleLength];
        shadow.Preprocessor.Preprocess(image, tensor);
        return new PixelInput(tensor);
    }

    private static object Copy(InferenceInput input, int sample, int sampleLength) => input switch
    {
        InferenceInput.EncodedImages images => images.Images[sample].ToArray(),
        InferenceInput.PixelTensor tensor => tensor.Values.Slice(sample * sampleLength, sampleLength).ToArray(),
        _ => throw new ArgumentException($"Unknown input {input.GetType().Name}.", nameof(input)),
    };

    private void Dropped(ShadowAgreement pair, int samples, string reason)
    {
        pair.RecordDropped(samples);
        metrics.RecordShadowDropped(pair, samples, reason);
    }

    private void Finished(int samples)
    {
        if (Interlocked.Add(ref _inFlight, -samples) != 0)
            return;
        TaskCompletionSource? idle;
        lock (_idleLock)
        {
            if (Volatile.Read(ref _inFlight) != 0)
                return;
            idle = _idle;
            _idle = null;
        }
        idle?.TrySetResult();
    }
}
