using System.Diagnostics;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Models;
using MobileViT.Inference.Preprocessing;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Classification;

/// <summary>
/// Encoded image in, top-k classes out: preprocessing runs on the caller's thread into a pooled buffer, so the
/// batcher's threads only run inference. Each image gets a "classify" span with "preprocess" and (from the batcher)
/// "queue wait" children; the batch span that ran it links to it.
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

        var length = model.Signature.SampleLength;
        var buffer = model.InputBuffers.Rent(length);
        try
        {
            var preprocessTime = Preprocess(model, image, buffer.AsSpan(0, length), call);
            var result = await model.Batcher.InferAsync(buffer.AsMemory(0, length), call, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("mobilevit.batch.size", result.BatchSize);
            return new ClassificationResult(model.Name, model.Synthetic, TopKClassifier.Classify(result.Logits, model.Labels, topK), result, preprocessTime);
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
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
