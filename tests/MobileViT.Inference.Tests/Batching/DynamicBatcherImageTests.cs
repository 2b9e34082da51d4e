using Microsoft.Extensions.Logging.Abstractions;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Preprocessing;
using MobileViT.Inference.Telemetry;
using MobileViT.Inference.Tests.Preprocessing;

namespace MobileViT.Inference.Tests.Batching;

/// <summary>Encoded images queued to the batcher are preprocessed by the worker straight into its batch.</summary>
public sealed class DynamicBatcherImageTests
{
    private static readonly ImagePreprocessor Preprocessor = new(PreprocessorConfig.MobileViTDefault, 50_000_000);

    private static DynamicBatcher Create(FakeBatchRunner runner, int maxBatchSize) =>
        new("test", new BatchingOptions { MaxBatchSize = maxBatchSize }, [runner], new InferenceMetrics(), new ModelStatistics().For("test"),
            NullLogger.Instance);

    private static EncodedImageInput Image(byte[] bytes) => new(Preprocessor, bytes);

    private static byte[] Solid(byte value) => RgbImage.Create(40, 30, (_, _) => (value, (byte)(255 - value), value)).EncodePng();

    private static PixelInput Preprocessed(byte[] image)
    {
        var pixels = new float[Preprocessor.OutputLength];
        Preprocessor.Preprocess(image, pixels);
        return new PixelInput(pixels);
    }

    [Fact]
    public async Task An_image_preprocessed_by_the_worker_gives_the_same_result_as_the_same_image_preprocessed_before_queueing()
    {
        var runner = new FakeBatchRunner(0, 2, Preprocessor.OutputLength);
        await using var batcher = Create(runner, 2);
        var image = Solid(200);

        var fromImage = await batcher.InferAsync(Image(image), default, default);
        var fromPixels = await batcher.InferAsync(Preprocessed(image), default, default);

        Assert.Equal(fromPixels.Logits, fromImage.Logits);
        Assert.Equal(Preprocessed(image).Pixels.Span[0], fromImage.Logits[1]);
        Assert.True(fromImage.PreprocessTime > TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, fromPixels.PreprocessTime);
    }

    [Fact]
    public async Task An_image_that_fails_to_decode_fails_alone_and_the_rest_of_its_batch_runs_in_order()
    {
        var runner = new FakeBatchRunner(0, 4, Preprocessor.OutputLength) { Gate = new SemaphoreSlim(0) };
        await using var batcher = Create(runner, 4);
        var blocker = batcher.InferAsync(Image(Solid(1)), default, default);
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));

        // Queued behind the held run, so all four are taken as one batch.
        var good = new[] { Solid(10), Solid(60), Solid(250) };
        var truncated = good[0][..(good[0].Length / 2)];
        var tasks = new[]
        {
            batcher.InferAsync(Image(good[0]), default, default),
            batcher.InferAsync(Image(truncated), default, default),
            batcher.InferAsync(Image(good[1]), default, default),
            batcher.InferAsync(Image(good[2]), default, default),
        };
        runner.Gate.Release(2);

        await blocker;
        await Assert.ThrowsAsync<InvalidImageException>(() => tasks[1]);
        var results = new[] { await tasks[0], await tasks[2], await tasks[3] };
        for (var i = 0; i < good.Length; i++)
        {
            Assert.Equal(Preprocessed(good[i]).Pixels.Span[0], results[i].Logits[1]);
            Assert.Equal(3, results[i].BatchSize);
        }
        Assert.Equal([1, 3], runner.BatchSizes);
        Assert.Equal(4, batcher.ImagesRun);
    }

    [Fact]
    public async Task A_batch_whose_every_image_fails_to_decode_never_runs()
    {
        var runner = new FakeBatchRunner(0, 2, Preprocessor.OutputLength);
        await using var batcher = Create(runner, 2);

        var error = await Assert.ThrowsAsync<InvalidImageException>(() => batcher.InferAsync(Image("not an image"u8.ToArray()), default, default));

        Assert.Equal(InvalidImageReason.UnsupportedFormat, error.Reason);
        Assert.Empty(runner.BatchSizes);
        Assert.Equal(1, (await batcher.InferAsync(Image(Solid(5)), default, default)).BatchSize);
    }

    [Fact]
    public async Task An_input_that_throws_something_unexpected_fails_alone_as_an_inference_failure()
    {
        var runner = new FakeBatchRunner(0, 2, Preprocessor.OutputLength);
        await using var batcher = Create(runner, 2);

        await Assert.ThrowsAsync<InferenceFailedException>(() => batcher.InferAsync(new ThrowingInput(), default, default));

        Assert.Empty(runner.BatchSizes);
        Assert.Equal(1, (await batcher.InferAsync(Image(Solid(5)), default, default)).BatchSize);
    }

    private sealed class ThrowingInput : IBatchInput
    {
        public bool Preprocesses => true;

        public void WriteTo(Span<float> slot) => throw new InvalidOperationException("decoder bug");
    }
}
