using System.Diagnostics;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Classification;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models;
using MobileViT.Inference.Preprocessing;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Serving;

/// <summary>
/// The one entry point every protocol calls. For each request it stamps the start time once, resolves the model,
/// checks admission, validates the parameters, reads the input (through the adapter's reader, after admission),
/// validates it, queues each sample on the model's batcher and shapes the output; and, whatever happens, records
/// exactly one outcome in the request metrics. Adapters only parse their wire format and translate the result or
/// the <see cref="InferenceException"/> back.
/// </summary>
public sealed class InferenceService(ModelRegistry registry, MobileViTOptions options, InferenceMetrics metrics, TimeProvider time,
    IEnumerable<IAdmissionRule>? rules = null)
{
    private readonly IAdmissionRule[] _callerRules = (rules ?? []).Where(r => r.Stage == AdmissionStage.Caller).ToArray();
    private readonly IAdmissionRule[] _modelRules = (rules ?? []).Where(r => r.Stage == AdmissionStage.Model).ToArray();

    /// <summary>The model label of requests for a model that does not exist: a client must not be able to grow the metric's label set.</summary>
    public const string UnknownModelLabel = "(unknown)";

    public ValueTask<InferenceResponse> InferAsync(InferenceRequest request, InferenceInput input, CancellationToken cancellationToken) =>
        InferAsync(request, (_, _) => ValueTask.FromResult(input), cancellationToken);

    /// <summary>
    /// Runs the request. Throws <see cref="InferenceException"/> (or <see cref="OperationCanceledException"/>) when
    /// the request as a whole fails; a failure of one sample among several is that sample's
    /// <see cref="SampleResult.Error"/>.
    /// </summary>
    public async ValueTask<InferenceResponse> InferAsync(InferenceRequest request, InputReader readInput, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var modelLabel = UnknownModelLabel;
        var caller = new AdmissionContext(request, null, null);
        var priority = request.Priority;
        ErrorKind? failure = null;
        InferenceInput? input = null;
        using var activity = InferenceMetrics.ActivitySource.StartActivity("classify");
        activity?.SetTag("mobilevit.protocol", request.Protocol);
        activity?.SetTag("mobilevit.priority", priority.Label());
        try
        {
            Admit(_callerRules, caller);
            modelLabel = registry.GetConfigured(request.Model).Name;
            var model = registry.GetAdmitting(modelLabel);
            if (activity is not null)
            {
                activity.DisplayName = "classify " + model.Name;
                activity.SetTag("mobilevit.model", model.Name);
            }
            var topK = ValidateTopK(model, request);
            var call = new InferenceCallOptions(Timeout(request), started, priority);
            if (!request.ParametersInInput)
                Admit(_modelRules, new AdmissionContext(request, model, call.Timeout) { Client = caller.Client });

            input = await readInput(model, cancellationToken).ConfigureAwait(false);
            if (input.Timeout is { } inputTimeout)
                call = call with { Timeout = Earlier(call.Timeout, inputTimeout) };
            if (request.ParametersInInput)
            {
                priority = input.Priority ?? priority;
                activity?.SetTag("mobilevit.priority", priority.Label());
                call = call with { Priority = priority };
                Admit(_modelRules, new AdmissionContext(request with { Priority = priority }, model, call.Timeout) { Client = caller.Client });
            }
            metrics.RecordBytesReceived(model.Name, request.Protocol, input.ByteCount);
            activity?.SetTag("mobilevit.image.bytes", input.ByteCount);
            ValidateSampleCount(input);

            var samples = await RunSamplesAsync(model, input, call, topK, cancellationToken).ConfigureAwait(false);
            var response = new InferenceResponse(model, samples);
            failure = response.FirstError?.Kind;
            activity?.SetTag("mobilevit.batch.size", response.LargestBatch);
            return response;
        }
        catch (Exception e)
        {
            failure = InferenceException.KindOf(e);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            input?.Owner?.Dispose();
            var outcome = failure is { } kind ? RequestOutcome.Of(kind) : RequestOutcome.Success;
            activity?.SetTag("mobilevit.outcome", outcome);
            var client = caller.Client ?? Access.ClientLabel.Anonymous;
            activity?.SetTag("mobilevit.client", client);
            metrics.RecordRequest(modelLabel, request.Protocol, outcome, time.GetElapsedTime(started), client, priority);
        }
    }

    private static void Admit(IAdmissionRule[] rules, AdmissionContext context)
    {
        foreach (var rule in rules)
            rule.Admit(context);
    }

    private static int ValidateTopK(ServedModel model, InferenceRequest request)
    {
        if (request.Output != OutputKind.TopK)
            return 0;
        var k = request.TopK ?? InferenceRequest.DefaultTopK;
        if (k < 1 || k > model.Labels.Count)
            throw new InvalidRequestException($"The number of classes to return (topK, top_k) must be between 1 and {model.Labels.Count} (was {k}).", "bad-topk");
        return k;
    }

    /// <summary>The request's timeout from when it arrived: the earlier of the client's timeout and its deadline; null means the configured default.</summary>
    private TimeSpan? Timeout(InferenceRequest request)
    {
        if (request.Timeout is { } timeout)
            RequirePositive(timeout);
        if (request.Deadline is not { } deadline)
            return request.Timeout;
        var untilDeadline = deadline - time.GetUtcNow();
        if (untilDeadline <= TimeSpan.Zero)
            throw new DeadlineExceededException(TimeSpan.Zero);
        return request.Timeout is { } t && t < untilDeadline ? t : untilDeadline;
    }

    private TimeSpan Earlier(TimeSpan? requestTimeout, TimeSpan inputTimeout)
    {
        RequirePositive(inputTimeout);
        var timeout = requestTimeout ?? TimeSpan.FromMilliseconds(options.Batching.RequestTimeoutMs);
        return inputTimeout < timeout ? inputTimeout : timeout;
    }

    /// <summary>A timeout from any protocol, in the request's metadata or in its body, must be positive.</summary>
    private static void RequirePositive(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
            throw new InvalidRequestException("The timeout must be positive.", "bad-timeout");
    }

    private void ValidateSampleCount(InferenceInput input)
    {
        var max = options.Limits.MaxImagesPerRequest;
        if (input.SampleCount < 1 || input.SampleCount > max)
            throw new InvalidRequestException(
                $"A request carries between 1 and {max} images (MobileViT__Limits__MaxImagesPerRequest); this one has {input.SampleCount}.", "bad-batch");
    }

    private async Task<SampleResult[]> RunSamplesAsync(ServedModel model, InferenceInput input, InferenceCallOptions call, int topK,
        CancellationToken cancellationToken)
    {
        Task<SampleResult>[] samples;
        switch (input)
        {
            case InferenceInput.PixelTensor tensor:
                var pixels = ValidatePixels(model, tensor);
                var length = model.Signature.SampleLength;
                samples = Enumerable.Range(0, tensor.SampleCount)
                    .Select(i => RunAsync(model, new PixelInput(pixels.Slice(i * length, length)), TimeSpan.Zero, call, topK, cancellationToken))
                    .ToArray();
                break;
            case InferenceInput.EncodedImages images when images.Images.Count == 1:
                samples = [RunImageAsync(model, images.Images[0], call, topK, cancellationToken)];
                break;
            case InferenceInput.EncodedImages images:
                // Several images: preprocessing on request threads (CUDA placement) runs them side by side.
                samples = images.Images.Select(image => Task.Run(() => RunImageAsync(model, image, call, topK, cancellationToken), CancellationToken.None)).ToArray();
                break;
            default:
                throw new ArgumentException($"Unknown input {input.GetType().Name}.", nameof(input));
        }
        var results = await Task.WhenAll(samples).ConfigureAwait(false);
        // A single sample's failure is the request's failure: thrown, so every protocol treats it alike.
        if (results.Length == 1 && results[0].Error is { } error)
            throw error;
        return results;
    }

    private static ReadOnlyMemory<float> ValidatePixels(ServedModel model, InferenceInput.PixelTensor tensor)
    {
        var s = model.Signature;
        var shape = tensor.Shape;
        if (shape.Count != 4 || shape[1] != s.Channels || shape[2] != s.Height || shape[3] != s.Width)
            throw new InvalidRequestException(
                $"Input '{tensor.Name}' must have shape [N,{s.Channels},{s.Height},{s.Width}]; its shape is [{string.Join(",", shape)}].", "invalid-tensor");
        var count = shape[0] * s.SampleLength;
        if (tensor.Values.Length != count)
            throw new InvalidRequestException(
                $"Input '{tensor.Name}' of shape [{string.Join(",", shape)}] needs {count} values; it has {tensor.Values.Length}.", "invalid-tensor");
        return tensor.Values;
    }

    /// <summary>
    /// One encoded image. Preprocessed on the worker: the header is checked here (non-images and pixel bombs are
    /// refused before they take a queue slot) and the bytes are queued. Preprocessed on the request's thread: decoded
    /// into a pooled tensor that is queued.
    /// </summary>
    private async Task<SampleResult> RunImageAsync(ServedModel model, ReadOnlyMemory<byte> image, InferenceCallOptions call, int topK,
        CancellationToken cancellationToken)
    {
        if (model.Preprocessing == PreprocessingPlacement.Worker)
        {
            try
            {
                model.Preprocessor.CheckHeader(image.Span);
            }
            catch (InvalidImageException e)
            {
                return new SampleResult(null, null, TimeSpan.Zero, e);
            }
            return await RunAsync(model, new EncodedImageInput(model.Preprocessor, image), TimeSpan.Zero, call, topK, cancellationToken).ConfigureAwait(false);
        }

        var length = model.Signature.SampleLength;
        var buffer = model.InputBuffers.Rent(length);
        try
        {
            var preprocessStarted = time.GetTimestamp();
            using (var activity = InferenceMetrics.ActivitySource.StartActivity("preprocess"))
            {
                try
                {
                    model.Preprocessor.Preprocess(image.Span, buffer.AsSpan(0, length));
                }
                catch (InvalidImageException e)
                {
                    activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                    return new SampleResult(null, null, TimeSpan.Zero, e);
                }
            }
            var preprocessTime = time.GetElapsedTime(preprocessStarted);
            metrics.RecordPreprocess(model.Name, preprocessTime);
            return await RunAsync(model, new PixelInput(buffer.AsMemory(0, length)), preprocessTime, call, topK, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            model.InputBuffers.Return(buffer);
        }
    }

    private async Task<SampleResult> RunAsync(ServedModel model, IBatchInput input, TimeSpan preprocessedBefore, InferenceCallOptions call, int topK,
        CancellationToken cancellationToken)
    {
        try
        {
            var result = await model.Batcher.InferAsync(input, call, cancellationToken).ConfigureAwait(false);
            Prediction[]? predictions = null;
            if (topK > 0)
            {
                var outputStarted = time.GetTimestamp();
                predictions = TopKClassifier.Classify(result.Logits, model.Labels, topK);
                metrics.RecordOutput(model.Name, time.GetElapsedTime(outputStarted));
            }
            return new SampleResult(result, predictions, preprocessedBefore + result.PreprocessTime, null);
        }
        catch (Exception e)
        {
            return new SampleResult(null, null, preprocessedBefore, AsInferenceException(e));
        }
    }

    private static InferenceException AsInferenceException(Exception e) => e switch
    {
        InferenceException inference => inference,
        OperationCanceledException => new CancelledException(e),
        _ => new InferenceFailedException($"Inference failed: {e.Message}", e),
    };
}
