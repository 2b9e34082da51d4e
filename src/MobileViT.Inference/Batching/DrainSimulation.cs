namespace MobileViT.Inference.Batching;

/// <summary>
/// When a new request would run, found by playing the batcher forward from now over the work already admitted: each
/// instance is free once its running batch has had its expected time; then the instance free first takes up to a
/// batch of images by <see cref="PriorityScheduling"/> (deadline order within a priority) and is busy for the
/// measured time of a batch of that size; and so on until the new request's batch has been taken. Work that arrives
/// later at a higher priority, and every other way the future differs from this, is what the admission's calibrated
/// margin is for. With <c>followers</c>, it goes on until that many requests of the new one's priority behind it have
/// been taken too, for the check that admitting it keeps the promises already made to them.
/// </summary>
internal static class DrainSimulation
{
    /// <summary>Start and finish of one request, in seconds from now.</summary>
    public readonly record struct Run(double Start, double Finish);

    /// <param name="instanceFree">Seconds from now until each instance is free (0 when idle).</param>
    /// <param name="times">Batch time by size.</param>
    /// <param name="maxBatchSize">Most images an instance takes at once.</param>
    /// <param name="waiting">Admitted images waiting at each rank, the new request included.</param>
    /// <param name="credits">Each rank's credit now (see <see cref="PriorityScheduling"/>).</param>
    /// <param name="creditPerImageAbove">Each rank's credit per image run above it.</param>
    /// <param name="rank">The new request's rank.</param>
    /// <param name="position">How many images of its rank go before it (earlier deadlines).</param>
    /// <param name="followers">How many images of its rank behind it to follow.</param>
    /// <returns>The new request's run, then its followers' in order.</returns>
    public static Run[] Play(ReadOnlySpan<double> instanceFree, BatchTimes times, int maxBatchSize, ReadOnlySpan<int> waiting,
        ReadOnlySpan<double> credits, ReadOnlySpan<double> creditPerImageAbove, int rank, int position, int followers = 0)
    {
        Span<double> free = stackalloc double[instanceFree.Length];
        instanceFree.CopyTo(free);
        Span<int> left = stackalloc int[waiting.Length];
        waiting.CopyTo(left);
        Span<double> credit = stackalloc double[credits.Length];
        credits.CopyTo(credit);
        var runs = new Run[1 + followers];
        var taken = 0; // images of the new request's rank taken so far, in deadline order
        var last = position + followers;
        Span<int> batchPositions = stackalloc int[maxBatchSize];
        while (taken <= last)
        {
            var instance = 0;
            for (var i = 1; i < free.Length; i++)
            {
                if (free[i] < free[instance])
                    instance = i;
            }
            var size = 0;
            var ours = 0;
            while (size < maxBatchSize)
            {
                var next = PriorityScheduling.Pick(left, credit);
                if (next < 0)
                    break;
                if (next == rank)
                    batchPositions[ours++] = taken++;
                PriorityScheduling.Took(next, left, credit, creditPerImageAbove);
                size++;
            }
            if (size == 0)
                throw new InvalidOperationException("The simulated queue emptied before the request was taken.");
            var start = free[instance];
            var finish = start + times.SecondsFor(size);
            free[instance] = finish;
            for (var i = 0; i < ours; i++)
            {
                var index = batchPositions[i] - position;
                if (index >= 0 && index < runs.Length)
                    runs[index] = new Run(start, finish);
            }
        }
        return runs;
    }
}
