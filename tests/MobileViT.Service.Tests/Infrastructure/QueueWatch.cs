using MobileViT.Inference.Batching;

namespace MobileViT.Service.Tests.Infrastructure;

/// <summary>Waits, without polling, until a model's queue is as a test needs it: checked at once and after every change.</summary>
internal static class QueueWatch
{
    public static async Task UntilAsync(DynamicBatcher batcher, Func<DynamicBatcher, bool> condition, string what)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (condition(batcher))
                reached.TrySetResult();
        }
        batcher.QueueChanged += Check;
        try
        {
            Check();
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{what} never happened (queue depth {batcher.QueueDepth})");
        }
        finally
        {
            batcher.QueueChanged -= Check;
        }
    }

    /// <summary>Until exactly <paramref name="depth"/> requests are queued.</summary>
    public static Task UntilDepthAsync(DynamicBatcher batcher, int depth) =>
        UntilAsync(batcher, b => b.QueueDepth == depth, $"a queue depth of {depth}");
}
