using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Preprocessing;
using MobileViT.Inference.Runtime;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Batching;

/// <summary>
/// One model's bounded queue and the workers that drain it, one per session instance. A free worker takes what is
/// queued, up to the maximum batch size; with fewer and a queue delay set, it waits for more until the delay has
/// passed since the oldest request it holds arrived. Each worker runs on its own thread because an ONNX Runtime
/// run blocks for milliseconds and would otherwise hold a thread-pool thread that request handling needs.
/// A request brings either preprocessed pixels, which the worker copies into its batch, or an encoded image, which the
/// worker decodes and preprocesses straight into its batch; an image that fails to decode fails alone and the rest of
/// the batch runs.
/// </summary>
public sealed class DynamicBatcher : IAsyncDisposable
{
    private readonly string _model;
    private readonly BatchingOptions _options;
    private readonly IReadOnlyList<IBatchRunner> _runners;
    private readonly InferenceMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Channel<InferenceRequest> _queue;
    private readonly Thread[] _workers;
    private readonly int _sampleLength;
    private readonly ImagePreprocessor? _preprocessor;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _runningWorkers;
    private long _imagesRun;
    private volatile bool _accepting = true;

    public DynamicBatcher(string model, BatchingOptions options, IReadOnlyList<IBatchRunner> runners, int sampleLength,
        InferenceMetrics metrics, ILogger logger, ImagePreprocessor? preprocessor = null)
    {
        if (runners.Count == 0)
            throw new ArgumentException("At least one session instance is required.", nameof(runners));
        _model = model;
        _options = options;
        _runners = runners;
        _sampleLength = sampleLength;
        _preprocessor = preprocessor;
        if (preprocessor is not null && preprocessor.OutputLength != sampleLength)
            throw new ArgumentException($"The preprocessor writes {preprocessor.OutputLength} values per image; the model takes {sampleLength}.", nameof(preprocessor));
        _metrics = metrics;
        _logger = logger;
        _queue = Channel.CreateBounded<InferenceRequest>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
        metrics.RegisterQueue(model, () => QueueDepth, () => Volatile.Read(ref _inFlight));

        _runningWorkers = runners.Count;
        _workers = runners.Select(runner => new Thread(() => WorkerLoop(runner))
        {
            IsBackground = true,
            Name = $"batcher-{model}-{runner.Id}",
        }).ToArray();
        foreach (var worker in _workers)
            worker.Start();
    }

    public int QueueDepth => _queue.Reader.Count;

    public int BatchesInFlight => Volatile.Read(ref _inFlight);

    /// <summary>Images that went through a session run since start; abandoned requests never add to it.</summary>
    public long ImagesRun => Interlocked.Read(ref _imagesRun);

    public bool Accepting => _accepting;

    /// <summary>
    /// Queues one preprocessed sample and waits for its logits. The caller keeps ownership of <paramref name="pixels"/>
    /// and may reuse it as soon as the returned task completes, whatever its outcome.
    /// </summary>
    public Task<InferenceResult> InferAsync(ReadOnlyMemory<float> pixels, InferenceCallOptions call, CancellationToken cancellationToken)
    {
        if (pixels.Length != _sampleLength)
        {
            RecordOutcome(call, "bad_input");
            throw new ArgumentException($"Expected {_sampleLength} values, got {pixels.Length}.", nameof(pixels));
        }
        return EnqueueAsync(pixels, ReadOnlyMemory<byte>.Empty, call, cancellationToken);
    }

    /// <summary>
    /// Queues one encoded image, which the worker that takes it preprocesses into its batch, and waits for its logits.
    /// Fails with <see cref="InvalidImageException"/> when the image cannot be decoded. The caller keeps ownership of
    /// <paramref name="image"/> and may reuse it as soon as the returned task completes, whatever its outcome.
    /// </summary>
    public Task<InferenceResult> InferImageAsync(ReadOnlyMemory<byte> image, InferenceCallOptions call, CancellationToken cancellationToken)
    {
        if (_preprocessor is null)
            throw new InvalidOperationException($"Model '{_model}'s batcher was created without a preprocessor; queue preprocessed pixels instead.");
        if (image.IsEmpty)
        {
            RecordOutcome(call, "bad_input");
            throw new InvalidImageException(InvalidImageReason.Empty, "the image is empty");
        }
        return EnqueueAsync(ReadOnlyMemory<float>.Empty, image, call, cancellationToken);
    }

    private async Task<InferenceResult> EnqueueAsync(ReadOnlyMemory<float> pixels, ReadOnlyMemory<byte> image, InferenceCallOptions call,
        CancellationToken cancellationToken)
    {
        if (call.StartTimestamp == 0)
            call = call with { StartTimestamp = Stopwatch.GetTimestamp() };
        if (!_accepting)
        {
            RecordOutcome(call, "unavailable");
            throw new ModelUnavailableException($"Model '{_model}' is draining and accepts no new requests.");
        }
        if (cancellationToken.IsCancellationRequested)
        {
            RecordOutcome(call, "cancelled");
            cancellationToken.ThrowIfCancellationRequested();
        }

        var timeout = call.Timeout ?? TimeSpan.FromMilliseconds(_options.RequestTimeoutMs);
        var request = new InferenceRequest(pixels, image, Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency), cancellationToken);
        if (!_queue.Writer.TryWrite(request))
        {
            RecordOutcome(call, _accepting ? "rejected_queue_full" : "unavailable");
            throw _accepting
                ? new QueueFullException(_model, _options.QueueCapacity)
                : new ModelUnavailableException($"Model '{_model}' is draining and accepts no new requests.");
        }

        try
        {
            var result = await WaitAsync(request, timeout, cancellationToken).ConfigureAwait(false);
            RecordOutcome(call, "success");
            return result;
        }
        catch (Exception e)
        {
            RecordOutcome(call, e switch
            {
                InvalidImageException => "bad_input",
                DeadlineExceededException => "deadline_exceeded",
                OperationCanceledException => "cancelled",
                _ => "failed",
            });
            throw;
        }
    }

    private void RecordOutcome(InferenceCallOptions call, string outcome) =>
        _metrics.RecordRequest(_model, call.Protocol, outcome,
            Stopwatch.GetElapsedTime(call.StartTimestamp != 0 ? call.StartTimestamp : Stopwatch.GetTimestamp()));

    private static async Task<InferenceResult> WaitAsync(InferenceRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await request.Completion.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (request.TryAbandon())
        {
            throw new DeadlineExceededException(timeout);
        }
        catch (OperationCanceledException) when (request.TryAbandon())
        {
            throw new OperationCanceledException("The client cancelled the request before it ran.", cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Already running: its input is in use until the batch ends, so wait for it.
            return await request.Completion.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Stops admitting requests; everything already queued still runs. Completes when the queue is empty and every worker is idle.</summary>
    public Task DrainAsync()
    {
        _accepting = false;
        _queue.Writer.TryComplete();
        return _drained.Task;
    }

    private void WorkerLoop(IBatchRunner runner)
    {
        var batch = new List<InferenceRequest>(runner.MaxBatchSize);
        try
        {
            while (WaitForWork(Timeout.InfiniteTimeSpan))
            {
                TakeAvailable(batch, runner.MaxBatchSize);
                if (batch.Count == 0)
                    continue;
                if (batch.Count < runner.MaxBatchSize && _options.MaxQueueDelayMs > 0)
                    WaitForMore(batch, runner.MaxBatchSize);
                Execute(runner, batch);
                batch.Clear();
            }
        }
        catch (Exception e)
        {
            _logger.LogCritical(e, "Batcher worker for model {Model} instance {Instance} stopped unexpectedly", _model, runner.Id);
            foreach (var request in batch)
                request.Completion.TrySetException(new InferenceFailedException("The batcher worker failed.", e));
        }
        finally
        {
            if (Interlocked.Decrement(ref _runningWorkers) == 0)
                _drained.TrySetResult();
        }
    }

    /// <summary>Blocks until something is queued (true) or the queue is completed and empty, or the wait times out (false).</summary>
    private bool WaitForWork(TimeSpan timeout)
    {
        var wait = _queue.Reader.WaitToReadAsync();
        if (wait.IsCompleted)
            return wait.Result;
        var task = wait.AsTask();
        return task.Wait(timeout) && task.Result;
    }

    private void TakeAvailable(List<InferenceRequest> batch, int maxBatchSize)
    {
        while (batch.Count < maxBatchSize && _queue.Reader.TryRead(out var request))
        {
            if (request.CancellationToken.IsCancellationRequested)
            {
                if (request.TryAbandon())
                    request.Completion.TrySetCanceled(request.CancellationToken);
                continue;
            }
            if (Stopwatch.GetTimestamp() > request.DeadlineTimestamp)
            {
                if (request.TryAbandon())
                    request.Completion.TrySetException(new DeadlineExceededException(Stopwatch.GetElapsedTime(request.EnqueuedTimestamp)));
                continue;
            }
            if (request.TryStart())
                batch.Add(request);
        }
    }

    private void WaitForMore(List<InferenceRequest> batch, int maxBatchSize)
    {
        var until = batch[0].EnqueuedTimestamp + (long)(_options.MaxQueueDelayMs / 1000.0 * Stopwatch.Frequency);
        while (batch.Count < maxBatchSize)
        {
            var remaining = until - Stopwatch.GetTimestamp();
            if (remaining <= 0 || !WaitForWork(TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency)))
                return;
            TakeAvailable(batch, maxBatchSize);
        }
    }

    private void Execute(IBatchRunner runner, List<InferenceRequest> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var startedUtc = DateTime.UtcNow;
        Interlocked.Increment(ref _inFlight);
        foreach (var request in batch)
            TraceQueueWait(request, started, startedUtc);
        using var activity = InferenceMetrics.ActivitySource.StartActivity(
            "batch " + _model, ActivityKind.Internal, parentContext: default,
            links: batch.Where(r => r.Activity is not null).Select(r => new ActivityLink(r.Activity!.Context)));
        activity?.SetTag("mobilevit.model", _model);
        activity?.SetTag("mobilevit.instance", runner.Id);
        activity?.SetTag("mobilevit.execution_provider", runner.ExecutionProvider);
        try
        {
            var preprocessTimes = FillInputs(runner, batch, started);
            if (batch.Count == 0)
                return;
            activity?.SetTag("mobilevit.batch.size", batch.Count);

            var runStarted = Stopwatch.GetTimestamp();
            runner.Run(batch.Count);
            var inferenceTime = Stopwatch.GetElapsedTime(runStarted);
            Interlocked.Add(ref _imagesRun, batch.Count);
            _metrics.RecordBatch(_model, runner.ExecutionProvider, batch.Count, inferenceTime);

            for (var i = 0; i < batch.Count; i++)
            {
                var result = new InferenceResult(runner.OutputSlot(i).ToArray(),
                    Stopwatch.GetElapsedTime(batch[i].EnqueuedTimestamp, started), inferenceTime, batch.Count, runner.Id, runner.ExecutionProvider,
                    preprocessTimes[i]);
                batch[i].Completion.TrySetResult(result);
            }
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            _logger.LogError(e, "Batch of {Count} on model {Model} instance {Instance} failed; only its requests fail", batch.Count, _model, runner.Id);
            var failure = new InferenceFailedException($"Inference failed for the batch this request was in: {e.Message}", e);
            foreach (var request in batch)
                request.Completion.TrySetException(failure);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>
    /// Puts every request's input into the runner's slots, in order. A request whose image fails to preprocess is
    /// completed with that error and dropped from the batch, so the slots and <paramref name="batch"/> stay aligned.
    /// Returns each remaining request's preprocessing time.
    /// </summary>
    private TimeSpan[] FillInputs(IBatchRunner runner, List<InferenceRequest> batch, long started)
    {
        var preprocessTimes = new TimeSpan[batch.Count];
        var filled = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var request = batch[i];
            _metrics.RecordQueueWait(_model, Stopwatch.GetElapsedTime(request.EnqueuedTimestamp, started));
            var slot = runner.InputSlot(filled);
            if (!request.IsImage)
            {
                request.Pixels.Span.CopyTo(slot);
            }
            else
            {
                var preprocessStarted = Stopwatch.GetTimestamp();
                using var span = request.Activity is null ? null
                    : InferenceMetrics.ActivitySource.StartActivity("preprocess", ActivityKind.Internal, request.Activity.Context);
                try
                {
                    _preprocessor!.Preprocess(request.Image.Span, slot);
                }
                catch (Exception e)
                {
                    span?.SetStatus(ActivityStatusCode.Error, e.Message);
                    request.Completion.TrySetException(e is InvalidImageException
                        ? e
                        : new InferenceFailedException($"Preprocessing the image failed: {e.Message}", e));
                    continue;
                }
                preprocessTimes[filled] = Stopwatch.GetElapsedTime(preprocessStarted);
                _metrics.RecordPreprocess(_model, preprocessTimes[filled]);
            }
            batch[filled++] = request;
        }
        batch.RemoveRange(filled, batch.Count - filled);
        return preprocessTimes;
    }

    /// <summary>A "queue wait" span under the request's own span, from when it was queued to when its batch started.</summary>
    private void TraceQueueWait(InferenceRequest request, long batchStarted, DateTime batchStartedUtc)
    {
        if (request.Activity is null)
            return;
        var waited = Stopwatch.GetElapsedTime(request.EnqueuedTimestamp, batchStarted);
        using var span = InferenceMetrics.ActivitySource.StartActivity("queue wait", ActivityKind.Internal, request.Activity.Context,
            startTime: batchStartedUtc - waited);
        if (span is null)
            return;
        span.SetTag("mobilevit.model", _model);
        span.SetEndTime(batchStartedUtc);
    }

    public async ValueTask DisposeAsync()
    {
        await DrainAsync().ConfigureAwait(false);
        foreach (var worker in _workers)
            worker.Join();
    }
}
