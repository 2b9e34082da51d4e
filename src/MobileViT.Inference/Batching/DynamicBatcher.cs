using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Runtime;
using MobileViT.Inference.Serving;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Batching;

/// <summary>
/// One model's bounded queues, one per priority, and the workers that drain them, one per session instance. A free
/// worker takes what is queued, highest priority first, up to the maximum batch size; with fewer and a queue delay set, it waits for more until the delay has
/// passed since the oldest request it holds arrived. Each worker runs on its own thread because an ONNX Runtime
/// run blocks for milliseconds and would otherwise hold a thread-pool thread that request handling needs.
/// Each request brings an <see cref="IBatchInput"/> that writes itself into its slot; one whose input turns out to be
/// unusable fails alone and the rest of the batch runs. From its own timings the batcher keeps a live
/// <see cref="DrainRate"/> and the time a batch takes by its size; <see cref="Admit"/> plays the work admitted ahead
/// of a new request forward with them (the batches running now included) and holds its place while its body is read,
/// and each admitted request's actual finish against its predicted one calibrates the margin admission leaves
/// (<see cref="AdmissionCalibrator"/>). Every clock read goes through the <see cref="TimeProvider"/>.
/// </summary>
public sealed class DynamicBatcher : IAsyncDisposable
{
    private readonly string _model;
    private readonly BatchingOptions _options;
    private readonly IReadOnlyList<IBatchRunner> _runners;
    private readonly InferenceMetrics _metrics;
    private readonly ModelStatisticsRecorder _statistics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly PriorityRequestQueue _queue;
    private readonly DrainRateEstimator _drainRate;
    private readonly AdmissionCalibrator _calibrator;
    private readonly RunningBatch?[] _running;
    private readonly int _maxBatchSize;
    private readonly Thread[] _workers;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IDisposable[] _registrations;
    private int _inFlight;
    private int _runningWorkers;
    private long _imagesRun;
    private volatile bool _accepting = true;

    /// <param name="version">The model version it serves, labelled on its queue gauges; null for none.</param>
    internal DynamicBatcher(string model, BatchingOptions options, IReadOnlyList<IBatchRunner> runners,
        InferenceMetrics metrics, ModelStatisticsRecorder statistics, ILogger logger, TimeProvider? time = null, string? version = null)
    {
        if (runners.Count == 0)
            throw new ArgumentException("At least one session instance is required.", nameof(runners));
        _model = model;
        _options = options;
        _runners = runners;
        _metrics = metrics;
        _statistics = statistics;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _queue = new PriorityRequestQueue(options);
        _maxBatchSize = runners.Max(r => r.MaxBatchSize);
        _drainRate = new DrainRateEstimator(runners.Count, TimeSpan.FromMilliseconds(options.DrainRateWindowMs), _time, _maxBatchSize);
        _calibrator = new AdmissionCalibrator(options.AdmissionQuantile, TimeSpan.FromMilliseconds(options.AdmissionCalibrationWindowMs),
            options.WaitEstimateSafetyFactor, _time);
        _running = new RunningBatch?[runners.Count];
        // Removed when disposed: a version unloaded leaves neither a gauge nor a reference to its sessions behind.
        _registrations =
        [
            metrics.RegisterQueue(model, () => QueueDepth, () => Volatile.Read(ref _inFlight), version),
            metrics.RegisterDrainRate(model, () => _drainRate.Current?.ImagesPerSecond, version),
            metrics.Admission.RegisterCalibration(model, () => _calibrator.Margin.Factor, () => _calibrator.Margin.Offset.TotalSeconds,
                () => _calibrator.Samples, version),
        ];

        _runningWorkers = runners.Count;
        _workers = runners.Select((runner, index) => new Thread(() => WorkerLoop(runner, index))
        {
            IsBackground = true,
            Name = $"batcher-{model}-{runner.Id}",
        }).ToArray();
        foreach (var worker in _workers)
            worker.Start();
    }

    public int QueueDepth => _queue.Count;

    /// <summary>Raised after a request joins the queue or leaves it, on the thread that changed it: a point to observe the queue from.</summary>
    internal event Action? QueueChanged;

    /// <summary>Requests waiting at one priority.</summary>
    public int QueueDepthOf(RequestPriority priority) => _queue.CountOf(priority);

    /// <summary>How many requests of this priority the queue holds before refusing more.</summary>
    public int QueueCapacityOf(RequestPriority priority) => _queue.CapacityOf(priority);

    /// <summary>The live drain rate over the recent window; null until a batch has run.</summary>
    public DrainRate? DrainRate => _drainRate.Current;

    /// <summary>Admitted requests of one priority whose body is still being read (their room in the queue is held).</summary>
    public int ReservedOf(RequestPriority priority) => _queue.ReservedOf(priority);

    /// <summary>What admission stretches predictions by now (a factor, then an offset): calibrated from the recent predictions' errors.</summary>
    internal AdmissionMargin AdmissionMargin => _calibrator.Margin;

    /// <summary>
    /// When a request of this priority due in <paramref name="timeout"/> would start and finish if it were admitted now,
    /// without admitting it; null before any batch has run.
    /// </summary>
    internal WaitPrediction? PredictWait(RequestPriority priority, TimeSpan timeout)
    {
        var now = _time.GetTimestamp();
        return _queue.Admit(priority, now + Ticks(timeout), snapshot => (Predict(snapshot, now), false, (AdmissionPrediction?)null)).Decision;
    }

    /// <summary>
    /// Admission, in one step against concurrent ones, of a request of <paramref name="priority"/> that arrived at
    /// <paramref name="arrived"/> (a timestamp of the batcher's clock; 0: now) and is due <paramref name="timeout"/>
    /// later: refuses it when its queue is full, or (<paramref name="waitAware"/>) when its predicted finish, stretched by
    /// the calibrated margin, is past its deadline or would make a request already admitted finish too late. Otherwise
    /// holds its room in the queue, ahead of later admissions, until it is queued: the decision's reservation, which
    /// its scope disposes when the request ends.
    /// </summary>
    internal AdmissionDecision Admit(RequestPriority priority, long arrived, TimeSpan timeout, bool waitAware = true)
    {
        var now = _time.GetTimestamp();
        var deadline = (arrived != 0 ? arrived : now) + Ticks(timeout);
        var remaining = _time.GetElapsedTime(now, deadline);
        var (decision, reservation) = _queue.Admit(priority, deadline, snapshot =>
        {
            if (snapshot.Full)
                return (new AdmissionDecision(true, null, null), false, null);
            if (!waitAware)
                return (new AdmissionDecision(false, null, null), false, null);
            if (Predict(snapshot, now) is not { } prediction)
                return (new AdmissionDecision(false, null, null), true, null);
            if (prediction.RetryAfterIfUnmeetable(remaining) is { } retryAfter)
                return (new AdmissionDecision(false, prediction, retryAfter), false, null);
            var calibrates = prediction.Margin.Stretch(prediction.Finish) >= remaining * CalibratingShareOfDeadline;
            return (new AdmissionDecision(false, prediction, null), true, new AdmissionPrediction(now, prediction.Start, prediction.Finish, calibrates));
        });
        return decision with { Reservation = reservation };
    }

    /// <summary>Predictions that used at least this share of what their deadline admits calibrate the margin.</summary>
    private const double CalibratingShareOfDeadline = 0.25;

    private WaitPrediction? Predict(QueueSnapshot snapshot, long now)
    {
        if (_drainRate.BatchTimes is not { } times)
            return null;
        Span<double> free = stackalloc double[_running.Length];
        for (var i = 0; i < _running.Length; i++)
        {
            free[i] = Volatile.Read(ref _running[i]) is { } running
                ? Math.Max(0, times.SecondsFor(running.Size) - _time.GetElapsedTime(running.BusySince, now).TotalSeconds)
                : 0;
        }
        var followers = snapshot.FollowerDeadlines;
        var runs = DrainSimulation.Play(free, times, _maxBatchSize, snapshot.WaitingWithNew(), snapshot.Credits, snapshot.CreditPerImageAbove,
            snapshot.Rank, snapshot.Position, followers.Length);
        var margin = _calibrator.Margin;
        var breaks = false;
        for (var j = 0; j < followers.Length && !breaks; j++)
        {
            // A follower's run moves from where the one before it would have run to its own; only a promise this
            // request breaks counts, not one already broken.
            var left = _time.GetElapsedTime(now, followers[j]);
            breaks = margin.Stretch(TimeSpan.FromSeconds(runs[j + 1].Finish)) > left && margin.Stretch(TimeSpan.FromSeconds(runs[j].Finish)) <= left;
        }
        return new WaitPrediction(TimeSpan.FromSeconds(runs[0].Start), TimeSpan.FromSeconds(runs[0].Finish), snapshot.AnythingAhead, margin, breaks);
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary>A request of this priority would be refused as queue-full now; the answer can change at once.</summary>
    public bool IsFull(RequestPriority priority) => _queue.IsFull(priority);

    /// <summary>A queue-full refusal for this priority, with the time the queue ahead needs to drain as the retry hint.</summary>
    internal QueueFullException QueueFull(RequestPriority priority) =>
        new(_model, _queue.CapacityOf(priority), PredictWait(priority, TimeSpan.FromDays(365))?.Start is { } drain && drain > TimeSpan.FromSeconds(1) ? drain : null);

    public int BatchesInFlight => Volatile.Read(ref _inFlight);

    /// <summary>Images that went through a session run since start; abandoned requests never add to it.</summary>
    public long ImagesRun => Interlocked.Read(ref _imagesRun);

    public bool Accepting => _accepting;

    /// <summary>
    /// Queues one sample and waits for its logits. Throws <see cref="ModelUnavailableException"/> while draining,
    /// <see cref="QueueFullException"/> when the queue is at capacity, <see cref="DeadlineExceededException"/> when the
    /// deadline passes before it runs (it then never runs), <see cref="OperationCanceledException"/> when cancelled
    /// while queued, and whatever the input throws when it turns out to be unusable. The caller keeps ownership of
    /// the input's memory and may reuse it as soon as the returned task completes, whatever its outcome.
    /// </summary>
    public async Task<InferenceResult> InferAsync(IBatchInput input, InferenceCallOptions call, CancellationToken cancellationToken)
    {
        if (!_accepting)
            throw Draining();
        cancellationToken.ThrowIfCancellationRequested();

        var now = _time.GetTimestamp();
        var timeout = call.Timeout ?? TimeSpan.FromMilliseconds(_options.RequestTimeoutMs);
        var deadline = (call.StartTimestamp != 0 ? call.StartTimestamp : now) + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        if (deadline <= now)
            throw new DeadlineExceededException(timeout);
        var request = new QueuedRequest(input, now, deadline, call.Priority, call.KeepInput, cancellationToken);
        if (!_queue.TryWrite(request))
        {
            throw _accepting
                ? QueueFull(call.Priority)
                : Draining();
        }
        // The deadline's timer is set before anyone hears of the new request, so that a clock moved on by a listener
        // (a test's fake clock) cannot pass the deadline before the timer exists.
        var waiting = WaitAsync(request, timeout, _time.GetElapsedTime(now, deadline), cancellationToken);
        QueueChanged?.Invoke();
        return await waiting.ConfigureAwait(false);
    }

    private ModelUnavailableException Draining() => new($"Model '{_model}' is draining and accepts no new requests.");

    private async Task<InferenceResult> WaitAsync(QueuedRequest request, TimeSpan timeout, TimeSpan remaining, CancellationToken cancellationToken)
    {
        try
        {
            return await request.Completion.Task.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (request.TryAbandon())
        {
            RecordExpired(request);
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
        _queue.Complete();
        return _drained.Task;
    }

    private void WorkerLoop(IBatchRunner runner, int index)
    {
        var batch = new List<QueuedRequest>(runner.MaxBatchSize);
        long previousEnd = 0;
        try
        {
            while (true)
            {
                // Back to back (work was waiting as the last batch ended): the instance was busy from then, so the
                // drain rate also counts the time it took to get to this batch, which an overloaded machine stretches.
                var busySince = _queue.Count > 0 ? previousEnd : 0;
                if (!WaitForWork(Timeout.InfiniteTimeSpan))
                    break;
                TakeAvailable(batch, runner.MaxBatchSize);
                if (batch.Count == 0)
                    continue;
                if (batch.Count < runner.MaxBatchSize && _options.MaxQueueDelayMs > 0)
                    WaitForMore(batch, runner.MaxBatchSize);
                if (busySince == 0)
                    busySince = _time.GetTimestamp();
                Volatile.Write(ref _running[index], new RunningBatch(busySince, batch.Count));
                Execute(runner, index, batch, busySince);
                Volatile.Write(ref _running[index], null);
                previousEnd = _time.GetTimestamp();
                batch.Clear();
            }
        }
        catch (Exception e)
        {
            BatcherLog.WorkerStopped(_logger, e, _model, runner.Id);
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
        var task = _queue.WaitToReadAsync();
        if (task.IsCompleted)
            return task.Result;
        if (timeout == Timeout.InfiniteTimeSpan)
            return task.GetAwaiter().GetResult();
        using var cancelDelay = new CancellationTokenSource();
        var delay = Task.Delay(timeout, _time, cancelDelay.Token);
        var first = Task.WhenAny(task, delay).GetAwaiter().GetResult();
        cancelDelay.Cancel();
        return first == task && task.Result;
    }

    private void TakeAvailable(List<QueuedRequest> batch, int maxBatchSize)
    {
        while (batch.Count < maxBatchSize && _queue.TryRead(out var request))
        {
            QueueChanged?.Invoke();
            if (request.CancellationToken.IsCancellationRequested)
            {
                if (request.TryAbandon())
                    request.Completion.TrySetCanceled(request.CancellationToken);
                continue;
            }
            if (_time.GetTimestamp() > request.DeadlineTimestamp)
            {
                if (request.TryAbandon())
                {
                    RecordExpired(request);
                    request.Completion.TrySetException(new DeadlineExceededException(_time.GetElapsedTime(request.EnqueuedTimestamp, request.DeadlineTimestamp)));
                }
                continue;
            }
            if (request.TryStart())
                batch.Add(request);
        }
    }

    private void WaitForMore(List<QueuedRequest> batch, int maxBatchSize)
    {
        var until = batch[0].EnqueuedTimestamp + (long)(_options.MaxQueueDelayMs / 1000.0 * _time.TimestampFrequency);
        while (batch.Count < maxBatchSize)
        {
            var now = _time.GetTimestamp();
            if (now >= until || !WaitForWork(_time.GetElapsedTime(now, until)))
                return;
            TakeAvailable(batch, maxBatchSize);
        }
    }

    private void Execute(IBatchRunner runner, int index, List<QueuedRequest> batch, long busySince)
    {
        var started = _time.GetTimestamp();
        var startedUtc = _time.GetUtcNow().UtcDateTime;
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

            var runStarted = _time.GetTimestamp();
            runner.Run(batch.Count);
            var inferenceTime = _time.GetElapsedTime(runStarted);
            var finished = _time.GetTimestamp();
            _drainRate.Record(index, batch.Count, _time.GetElapsedTime(busySince, finished));
            foreach (var request in batch)
            {
                if (request.Prediction is { } prediction)
                    RecordOutcome(prediction, _time.GetElapsedTime(prediction.AdmittedAt, started), _time.GetElapsedTime(prediction.AdmittedAt, finished));
            }
            Interlocked.Add(ref _imagesRun, batch.Count);
            _metrics.RecordBatch(_model, runner.ExecutionProvider, batch.Count, inferenceTime);
            _statistics.RecordInferBatch(batch.Count, inferenceTime);

            for (var i = 0; i < batch.Count; i++)
            {
                var result = new InferenceResult(runner.OutputSlot(i).ToArray(),
                    _time.GetElapsedTime(batch[i].EnqueuedTimestamp, started), inferenceTime, batch.Count, runner.Id, runner.ExecutionProvider,
                    preprocessTimes[i], batch[i].KeepInput ? runner.InputSlot(i).ToArray() : null);
                batch[i].Completion.TrySetResult(result);
            }
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            BatcherLog.BatchFailed(_logger, e, batch.Count, _model, runner.Id);
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
    /// Puts every request's input into the runner's slots, in order. A request whose input fails to write is
    /// completed with that error and dropped from the batch, so the slots and <paramref name="batch"/> stay aligned.
    /// Returns each remaining request's preprocessing time.
    /// </summary>
    private TimeSpan[] FillInputs(IBatchRunner runner, List<QueuedRequest> batch, long started)
    {
        var preprocessTimes = new TimeSpan[batch.Count];
        var filled = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var request = batch[i];
            var waited = _time.GetElapsedTime(request.EnqueuedTimestamp, started);
            _metrics.RecordQueueWait(_model, request.Priority, waited);
            _statistics.RecordQueue(waited);
            var slot = runner.InputSlot(filled);
            if (!request.Input.Preprocesses)
            {
                request.Input.WriteTo(slot);
                batch[filled++] = request;
                continue;
            }
            var preprocessStarted = _time.GetTimestamp();
            using var span = request.Activity is null ? null
                : InferenceMetrics.ActivitySource.StartActivity("preprocess", ActivityKind.Internal, request.Activity.Context);
            try
            {
                request.Input.WriteTo(slot);
            }
            catch (Exception e)
            {
                span?.SetStatus(ActivityStatusCode.Error, e.Message);
                request.Completion.TrySetException(e is Serving.InferenceException
                    ? e
                    : new InferenceFailedException($"Preprocessing the input failed: {e.Message}", e));
                continue;
            }
            preprocessTimes[filled] = _time.GetElapsedTime(preprocessStarted);
            _metrics.RecordPreprocess(_model, preprocessTimes[filled]);
            _statistics.RecordComputeInput(preprocessTimes[filled]);
            batch[filled++] = request;
        }
        batch.RemoveRange(filled, batch.Count - filled);
        return preprocessTimes;
    }

    /// <summary>Compares an admitted request's prediction with what happened: calibrates the margin, and is exported.</summary>
    private void RecordOutcome(AdmissionPrediction prediction, TimeSpan start, TimeSpan finish)
    {
        var finishRatio = _calibrator.Record(prediction, finish);
        _metrics.Admission.RecordPrediction(_model, prediction.Start, start, finishRatio);
    }

    /// <summary>An admitted request that expired in the queue: it could have finished one batch after it was dropped, at the earliest.</summary>
    private void RecordExpired(QueuedRequest request)
    {
        if (request.Prediction is not { } prediction)
            return;
        var dropped = _time.GetElapsedTime(prediction.AdmittedAt);
        var batch = TimeSpan.FromSeconds(_drainRate.BatchTimes?.SecondsFor(1) ?? 0);
        RecordOutcome(prediction, dropped, dropped + batch);
    }

    /// <summary>A "queue wait" span under the request's own span, from when it was queued to when its batch started.</summary>
    private void TraceQueueWait(QueuedRequest request, long batchStarted, DateTime batchStartedUtc)
    {
        if (request.Activity is null)
            return;
        var waited = _time.GetElapsedTime(request.EnqueuedTimestamp, batchStarted);
        using var span = InferenceMetrics.ActivitySource.StartActivity("queue wait", ActivityKind.Internal, request.Activity.Context,
            startTime: batchStartedUtc - waited);
        if (span is null)
            return;
        span.SetTag("mobilevit.model", _model);
        span.SetTag("mobilevit.priority", request.Priority.Label());
        span.SetEndTime(batchStartedUtc);
    }

    public async ValueTask DisposeAsync()
    {
        await DrainAsync().ConfigureAwait(false);
        foreach (var worker in _workers)
            worker.Join();
        foreach (var registration in _registrations)
            registration.Dispose();
    }
}
