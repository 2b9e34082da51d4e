using System.Diagnostics;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models;
using MobileViT.Inference.Preprocessing;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Classification;

/// <summary>
/// Encoded image in, top-k classes out. Where the model preprocesses on its workers, the request thread only checks
/// the image's header (so that non-images and oversized images are refused before they take a queue slot) and
/// queues the encoded bytes; otherwise it preprocesses into a pooled buffer and queues that. Each image gets a
/// "classify" span with "preprocess" and "queue wait" children; the batch span that ran it links to it.
/// </summary>
public sealed class ImageClassifier(InferenceMetrics metrics)
{
    public async Task<ClassificationResult> ClassifyAsync(ServedModel model, ReadOnlyMemory<byte> image, int topK,
        InferenceCallOptions call, CancellationToken cancellationToken)
    {
        if (call.StartTimestamp == 0)
            call = call with { StartTimestamp = Stopwatch.GetTimestamp() };
        using var activity = InferenceMetrics.ActivitySource.StartActivity("classify " + model.Name);
        activity?.SetTag("mobilevit.model", model.Name);
        activity?.SetTag("mobilevit.protocol", call.Protocol);
        activity?.SetTag("mobilevit.image.bytes", image.Length);
        metrics.RecordBytesReceived(model.Name, call.Protocol, image.Length);
        try
        {
            var (result, preprocessTime) = model.Preprocessing == PreprocessingPlacement.Worker
                ? (await InferOnWorkerAsync(model, image, call, cancellationToken).ConfigureAwait(false), TimeSpan.Zero)
                : await PreprocessAndInferAsync(model, image, call, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("mobilevit.batch.size", result.BatchSize);
            return new ClassificationResult(model.Name, model.Synthetic, TopKClassifier.Classify(result.Logits, model.Labels, topK), result,
                result.PreprocessTime + preprocessTime);
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }

    private Task<InferenceResult> InferOnWorkerAsync(ServedModel model, ReadOnlyMemory<byte> image, InferenceCallOptions call,
        CancellationToken cancellationToken)
    {
        try
        {
            model.Preprocessor.CheckHeader(image.Span);
        }
        catch (InvalidImageException)
        {
            metrics.RecordRequest(model.Name, call.Protocol, "bad_input", Stopwatch.GetElapsedTime(call.StartTimestamp));
            throw;
        }
        return model.Batcher.InferImageAsync(image, call, cancellationToken);
    }

    private async Task<(InferenceResult, TimeSpan)> PreprocessAndInferAsync(ServedModel model, ReadOnlyMemory<byte> image,
        InferenceCallOptions call, CancellationToken cancellationToken)
    {
        var length = model.Signature.SampleLength;
        var buffer = model.InputBuffers.Rent(length);
        try
        {
            var preprocessTime = Preprocess(model, image, buffer.AsSpan(0, length), call);
            return (await model.Batcher.InferAsync(buffer.AsMemory(0, length), call, cancellationToken).ConfigureAwait(false), preprocessTime);
        }
        finally
        {
            model.InputBuffers.Return(buffer);
        }
    }

    private TimeSpan Preprocess(ServedModel model, ReadOnlyMemory<byte> image, Span<float> pixels, InferenceCallOptions call)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = InferenceMetrics.ActivitySource.StartActivity("preprocess");
        try
        {
            model.Preprocessor.Preprocess(image.Span, pixels);
        }
        catch (InvalidImageException e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            metrics.RecordRequest(model.Name, call.Protocol, "bad_input", Stopwatch.GetElapsedTime(call.StartTimestamp));
            throw;
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.RecordPreprocess(model.Name, elapsed);
        return elapsed;
    }
}
