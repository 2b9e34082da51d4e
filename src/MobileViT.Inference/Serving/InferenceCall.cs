using System.Diagnostics;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Classification;
using MobileViT.Inference.Models;
using MobileViT.Inference.Preprocessing;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Serving;

/// <summary>
/// One request's scope, opened by <see cref="InferenceService.Begin"/>. The adapter parses its wire format at its own
/// pace, then calls <see cref="Admit"/>, the one place every admission rule runs, once, before any input that the rules
/// can decide without is read; then <see cref="RunAsync"/>. Anything that ends the request early (an adapter's parse
/// error, a refusal, the client going away) is reported with <see cref="Fail"/>. Disposing the scope records exactly
/// one outcome in the request metrics and the model's statistics: the first failure reported, or success once
/// <see cref="RunAsync"/> has returned.
/// </summary>
public sealed class InferenceCall : IDisposable
{
    private readonly InferenceService _service;
    private readonly long _started;
    private readonly Activity? _activity;
    private readonly string _modelLabel;
    private ModelLease? _lease;
    private RequestPriority _priority = RequestPriority.Normal;
    private TimeSpan _timeout;
    private AdmissionContext? _admission;
    private InferenceException? _failure;
    private bool _succeeded;
    private int _disposed;

    internal InferenceCall(InferenceService service, InferenceRequest request)
    {
        _service = service;
        Request = request;
        // The label the request is counted under, whatever happens to it; admission decides whether it may run.
        _modelLabel = service.Registry.Find(request.Model)?.Name ?? InferenceService.UnknownModelLabel;
        _started = service.Time.GetTimestamp();
        _activity = InferenceMetrics.ActivitySource.StartActivity("classify");
        _activity?.SetTag("mobilevit.protocol", request.Protocol);
        _activity?.SetTag("mobilevit.client", request.Caller.Name);
    }

    public InferenceRequest Request { get; }

    /// <summary>The model serving the request; set by <see cref="Admit"/>.</summary>
    public ServedModel Model => _lease?.Model ?? throw new InvalidOperationException("The request has not been admitted.");

    /// <summary>
    /// Runs every admission rule, once: the caller's (rate limits), then the model lookup (unknown, loading, draining),
    /// then the model's (queue full, a deadline that cannot be met). <paramref name="timeout"/> is the client's, counted
    /// from the request's arrival; null means the configured default. Throws <see cref="InferenceException"/> when refused.
    /// </summary>
    public void Admit(RequestPriority priority = RequestPriority.Normal, TimeSpan? timeout = null)
    {
        if (_lease is not null)
            throw new InvalidOperationException("A request is admitted once.");
        try
        {
            _priority = priority;
            _activity?.SetTag("mobilevit.priority", priority.Label());
            var callerContext = new AdmissionContext(Request, priority, timeout ?? DefaultTimeout, null);
            foreach (var rule in _service.CallerRules)
                rule.Admit(callerContext);
            // The version is chosen here, once: the lease keeps it serving this request whatever swap follows.
            _lease = _service.Registry.Admit(Request.Model, Request.Version);
            var model = _lease.Model;
            if (_activity is not null)
            {
                _activity.DisplayName = "classify " + model.Name;
                _activity.SetTag("mobilevit.model", model.Name);
                _activity.SetTag("mobilevit.model.version", model.VersionLabel);
            }
            _timeout = EffectiveTimeout(timeout);
            var modelContext = _admission = new AdmissionContext(Request, priority, _timeout, model) { Arrived = _started };
            foreach (var rule in _service.ModelRules)
                rule.Admit(modelContext);
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
    }

    /// <summary>
    /// Runs the admitted request's samples on the model and shapes the output. Throws <see cref="InferenceException"/>
    /// (or <see cref="OperationCanceledException"/>) when the request as a whole fails; a failure of one sample among
    /// several is that sample's <see cref="SampleResult.Error"/>. When it returns, whatever its outcome, no sample still
    /// reads the input's memory.
    /// </summary>
    public async Task<InferenceResponse> RunAsync(InferenceInput input, RequestedOutput output, CancellationToken cancellationToken)
    {
        try
        {
            var model = Model;
            var topK = ValidateTopK(model, output);
            _service.Metrics.RecordBytesReceived(model.Name, Request.Protocol, input.ByteCount);
            _activity?.SetTag("mobilevit.image.bytes", input.ByteCount);
            ValidateSampleCount(input);
            var call = new InferenceCallOptions(_timeout, _started, _priority, output.KeepInput);
            var samples = await new SampleRunner(_service, model, call, topK).RunAsync(input, cancellationToken).ConfigureAwait(false);
            var response = new InferenceResponse(model, samples);
            _activity?.SetTag("mobilevit.batch.size", response.LargestBatch);
            if (response.FirstError is { } error)
                Fail(error);
            else
                _succeeded = true;
            if (_lease!.Shadow is not null)
                _service.Shadows?.Offer(_lease, input, response);
            return response;
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
    }

    /// <summary>
    /// Runs the admitted request's images as they arrive, for a batch whose body is still being read: each image starts
    /// as soon as the adapter yields it and is disposed as soon as it has run, and at most the model's batch capacity
    /// (<see cref="ServedModel.MaxBatchSize"/> per instance) waits or runs at once; reading the next one waits for a place,
    /// so a client sending faster than the model runs is slowed by TCP rather than held in memory. The results come
    /// back in the order the images arrived. A failure of the enumeration (a broken part, the budget's refusal) fails
    /// the request, after the images already started have finished. Such a batch is not offered to shadow evaluation:
    /// its images are let go as soon as they have run.
    /// </summary>
    public async Task<InferenceResponse> RunEachAsync(IAsyncEnumerable<ArrivingImage> images, RequestedOutput output, CancellationToken cancellationToken)
    {
        try
        {
            var model = Model;
            var topK = ValidateTopK(model, output);
            var call = new InferenceCallOptions(_timeout, _started, _priority, output.KeepInput);
            var max = _service.Options.Limits.MaxImagesPerRequest;
            var (samples, bytes) = await new SampleRunner(_service, model, call, topK)
                .RunEachAsync(images, model.MaxBatchSize * model.Instances.Count, max, cancellationToken).ConfigureAwait(false);
            _service.Metrics.RecordBytesReceived(model.Name, Request.Protocol, bytes);
            _activity?.SetTag("mobilevit.image.bytes", bytes);
            var response = new InferenceResponse(model, samples);
            _activity?.SetTag("mobilevit.batch.size", response.LargestBatch);
            if (response.FirstError is { } error)
                Fail(error);
            else
                _succeeded = true;
            return response;
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
    }

    /// <summary>
    /// Shapes a protocol's own output from the response (e.g. a tensor of logits, or classification strings), timing it
    /// as the model's output time in the metrics and statistics.
    /// </summary>
    public T ShapeOutput<T>(Func<T> shape)
    {
        var started = _service.Time.GetTimestamp();
        var result = shape();
        RecordOutputTime(Model, _service, _service.Time.GetElapsedTime(started));
        return result;
    }

    /// <summary>
    /// Reports what ended the request early: the adapter's parse error, a refusal, or the client going away. The first
    /// failure reported is the request's outcome; later ones are ignored.
    /// </summary>
    public void Fail(Exception error)
    {
        if (_failure is not null)
            return;
        _failure = InferenceException.From(error);
        _succeeded = false;
        _activity?.SetStatus(ActivityStatusCode.Error, _failure.Message);
    }

    /// <summary>Records the request's one outcome. A scope that was neither run to success nor failed is a bug in its adapter: counted as failed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _admission?.Release();
        var kind = _failure?.Kind ?? (_succeeded ? (ErrorKind?)null : ErrorKind.Failed);
        var outcome = kind is { } k ? RequestOutcome.Of(k) : RequestOutcome.Success;
        var duration = _service.Time.GetElapsedTime(_started);
        _activity?.SetTag("mobilevit.outcome", outcome);
        _service.Metrics.RecordRequest(_modelLabel, Request.Protocol, outcome, duration, Request.Caller.Name, _priority, _lease?.Model.VersionLabel);
        (_lease?.Model.Statistics ?? _service.Statistics.For(_modelLabel)).RecordRequest(kind is null, duration, _service.Time.GetUtcNow());
        _activity?.Dispose();
        _lease?.Dispose();
    }

    internal static void RecordOutputTime(ServedModel model, InferenceService service, TimeSpan elapsed)
    {
        service.Metrics.RecordOutput(model.Name, elapsed);
        model.Statistics.RecordComputeOutput(elapsed);
    }

    /// <summary>The request's timeout from when it arrived: the earlier of the client's timeout and its deadline, or the configured default.</summary>
    private TimeSpan EffectiveTimeout(TimeSpan? timeout)
    {
        if (timeout is { } t && t <= TimeSpan.Zero)
            throw new InvalidRequestException("The timeout must be positive.", ErrorCodes.BadTimeout);
        var chosen = timeout ?? DefaultTimeout;
        if (Request.Deadline is not { } deadline)
            return chosen;
        var untilDeadline = deadline - _service.Time.GetUtcNow();
        if (untilDeadline <= TimeSpan.Zero)
            throw new DeadlineExceededException(TimeSpan.Zero);
        return timeout is { } client && client < untilDeadline ? client : untilDeadline;
    }

    private TimeSpan DefaultTimeout => TimeSpan.FromMilliseconds(_service.Options.Batching.RequestTimeoutMs);

    private static int ValidateTopK(ServedModel model, RequestedOutput output)
    {
        if (!output.Classify)
            return 0;
        var k = output.TopK ?? RequestedOutput.DefaultTopK;
        if (k < 1 || k > model.Labels.Count)
            throw new InvalidRequestException($"The number of classes to return (topK, top_k) must be between 1 and {model.Labels.Count} (was {k}).", ErrorCodes.BadTopK);
        return k;
    }

    private void ValidateSampleCount(InferenceInput input)
    {
        var max = _service.Options.Limits.MaxImagesPerRequest;
        if (input.SampleCount < 1 || input.SampleCount > max)
            throw new InvalidRequestException(
                $"A request carries between 1 and {max} images (MobileViT__Limits__MaxImagesPerRequest); this one has {input.SampleCount}.", ErrorCodes.BadBatch);
    }
}
