using System.Diagnostics;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Models;
using MobileViT.Inference.Preprocessing;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Classification;

/// <summary>
/// Encoded image in, top-k classes out: preprocessing runs on the caller's thread into a pooled buffer, so the
/// batcher's threads only run inference.
/// </summary>
public sealed class ImageClassifier(InferenceMetrics metrics)
{
    public async Task<ClassificationResult> ClassifyAsync(ServedModel model, ReadOnlyMemory<byte> image, int topK,
        InferenceCallOptions call, CancellationToken cancellationToken)
    {
        var length = model.Signature.SampleLength;
        var buffer = model.InputBuffers.Rent(length);
        try
        {
            var preprocessStarted = Stopwatch.GetTimestamp();
            using (InferenceMetrics.ActivitySource.StartActivity("preprocess"))
            {
                try
                {
                    model.Preprocessor.Preprocess(image.Span, buffer.AsSpan(0, length));
                }
                catch (InvalidImageException)
                {
                    metrics.RecordRequest(model.Name, call.Protocol, "bad_input");
                    throw;
                }
            }
            var preprocessTime = Stopwatch.GetElapsedTime(preprocessStarted);
            metrics.RecordPreprocess(model.Name, preprocessTime.TotalMilliseconds);

            var result = await model.Batcher.InferAsync(buffer.AsMemory(0, length), call, cancellationToken).ConfigureAwait(false);
            return new ClassificationResult(model.Name, model.Synthetic, TopKClassifier.Classify(result.Logits, model.Labels, topK), result, preprocessTime);
        }
        finally
        {
            model.InputBuffers.Return(buffer);
        }
    }
}
