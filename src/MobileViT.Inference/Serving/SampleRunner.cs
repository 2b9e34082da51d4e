using System.Diagnostics;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Classification;
using MobileViT.Inference.Models;
using MobileViT.Inference.Preprocessing;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Serving;

/// <summary>Runs an admitted request's samples on its model's batcher, each to its own result, and classifies their logits.</summary>
internal sealed class SampleRunner(InferenceService service, ServedModel model, InferenceCallOptions call, int topK)
{
    private readonly TimeProvider _time = service.Time;

    public async Task<SampleResult[]> RunAsync(InferenceInput input, CancellationToken cancellationToken)
    {
        Task<SampleResult>[] samples;
        switch (input)
        {
            case InferenceInput.PixelTensor tensor:
                var pixels = ValidatePixels(tensor);
                var length = model.Signature.SampleLength;
                samples = Enumerable.Range(0, tensor.SampleCount)
                    .Select(i => RunAsync(new PixelInput(pixels.Slice(i * length, length)), TimeSpan.Zero, cancellationToken))
                    .ToArray();
                break;
            case InferenceInput.EncodedImages images when images.Images.Count == 1:
                samples = [RunImageAsync(images.Images[0], cancellationToken)];
                break;
            case InferenceInput.EncodedImages images:
                // Several images: preprocessing on request threads (CUDA placement) runs them side by side.
                samples = images.Images.Select(image => Task.Run(() => RunImageAsync(image, cancellationToken), CancellationToken.None)).ToArray();
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

    /// <summary>
    /// Starts each image as it arrives, with at most <paramref name="inFlight"/> started and not yet finished: the next
    /// is read only when one has finished. Each image's owner is disposed when it has run. Results in arrival order.
    /// </summary>
    public async Task<(SampleResult[] Samples, long Bytes)> RunEachAsync(IAsyncEnumerable<ArrivingImage> images, int inFlight, int maxImages,
        CancellationToken cancellationToken)
    {
        var samples = new List<Task<SampleResult>>();
        var bytes = 0L;
        using var places = new SemaphoreSlim(Math.Max(1, inFlight));
        try
        {
            await foreach (var image in images.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    if (samples.Count == maxImages)
                        throw new InvalidRequestException($"At most {maxImages} image(s) per request (MobileViT__Limits__MaxImagesPerRequest).", ErrorCodes.BadBatch);
                    await places.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    image.Owner.Dispose();
                    throw;
                }
                bytes += image.Bytes.Length;
                samples.Add(RunArrivedAsync(image, places, cancellationToken));
            }
        }
        catch
        {
            // The images already started still read their memory: let them finish before the adapter lets go of the body.
            await Task.WhenAll(samples).ConfigureAwait(false);
            throw;
        }
        if (samples.Count == 0)
            throw new InvalidRequestException("The request has no images.", ErrorCodes.EmptyImage);
        var results = await Task.WhenAll(samples).ConfigureAwait(false);
        if (results.Length == 1 && results[0].Error is { } error)
            throw error;
        return (results, bytes);
    }

    private async Task<SampleResult> RunArrivedAsync(ArrivingImage image, SemaphoreSlim places, CancellationToken cancellationToken)
    {
        try
        {
            // Preprocessing on request threads (CUDA placement) runs the images side by side.
            return await Task.Run(() => RunImageAsync(image.Bytes, cancellationToken), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            image.Owner.Dispose();
            places.Release();
        }
    }

    private ReadOnlyMemory<float> ValidatePixels(InferenceInput.PixelTensor tensor)
    {
        var s = model.Signature;
        var shape = tensor.Shape;
        if (shape.Count != 4 || shape[1] != s.Channels || shape[2] != s.Height || shape[3] != s.Width)
            throw new InvalidRequestException(
                $"Input '{tensor.Name}' must have shape [N,{s.Channels},{s.Height},{s.Width}]; its shape is [{string.Join(",", shape)}].", ErrorCodes.InvalidTensor);
        var count = shape[0] * s.SampleLength;
        if (tensor.Values.Length != count)
            throw new InvalidRequestException(
                $"Input '{tensor.Name}' of shape [{string.Join(",", shape)}] needs {count} values; it has {tensor.Values.Length}.", ErrorCodes.InvalidTensor);
        return tensor.Values;
    }

    /// <summary>
    /// One encoded image. Preprocessed on the worker: the header is checked here (non-images and pixel bombs are
    /// refused before they take a queue slot) and the bytes are queued. Preprocessed on the request's thread: decoded
    /// into a pooled tensor that is queued.
    /// </summary>
    private async Task<SampleResult> RunImageAsync(ReadOnlyMemory<byte> image, CancellationToken cancellationToken)
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
            return await RunAsync(new EncodedImageInput(model.Preprocessor, image), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }

        var length = model.Signature.SampleLength;
        var buffer = model.InputBuffers.Rent(length);
        try
        {
            var preprocessStarted = _time.GetTimestamp();
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
            var preprocessTime = _time.GetElapsedTime(preprocessStarted);
            service.Metrics.RecordPreprocess(model.Name, preprocessTime);
            model.Statistics.RecordComputeInput(preprocessTime);
            return await RunAsync(new PixelInput(buffer.AsMemory(0, length)), preprocessTime, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            model.InputBuffers.Return(buffer);
        }
    }

    private async Task<SampleResult> RunAsync(IBatchInput input, TimeSpan preprocessedBefore, CancellationToken cancellationToken)
    {
        try
        {
            var result = await model.Batcher.InferAsync(input, call, cancellationToken).ConfigureAwait(false);
            Prediction[]? predictions = null;
            if (topK > 0)
            {
                var outputStarted = _time.GetTimestamp();
                predictions = TopKClassifier.Classify(result.Logits, model.Labels, topK);
                InferenceCall.RecordOutputTime(model, service, _time.GetElapsedTime(outputStarted));
            }
            return new SampleResult(result, predictions, preprocessedBefore + result.PreprocessTime, null);
        }
        catch (Exception e)
        {
            return new SampleResult(null, null, preprocessedBefore, InferenceException.From(e));
        }
    }
}
