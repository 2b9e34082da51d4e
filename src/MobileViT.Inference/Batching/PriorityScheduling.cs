namespace MobileViT.Inference.Batching;

/// <summary>
/// Which priority a free instance takes its next image from: the highest one with work waiting, except that each lower
/// priority is owed a guaranteed share of the images while it waits, so that no priority starves. A priority that
/// waits while images of higher priorities run earns credit (its share / (1 - share) per image run above it, so that it
/// gets that share of the images while the priorities above it could take them all); with a whole image of credit it
/// goes next. Credit is not banked: it is dropped when the priority's queue empties. A trickle of high-priority work
/// therefore overtakes everything, as without the guarantee; only a backlog above a priority makes it wait its turn.
/// The queue and the admission's simulation of it (<see cref="DrainSimulation"/>) both take images by these rules.
/// Levels are ranks, 0 the highest.
/// </summary>
internal static class PriorityScheduling
{
    /// <summary>The rank to take the next image from; -1 when nothing waits.</summary>
    public static int Pick(ReadOnlySpan<int> waiting, ReadOnlySpan<double> credits)
    {
        for (var rank = 1; rank < waiting.Length; rank++)
        {
            if (waiting[rank] > 0 && credits[rank] >= 1)
                return rank;
        }
        for (var rank = 0; rank < waiting.Length; rank++)
        {
            if (waiting[rank] > 0)
                return rank;
        }
        return -1;
    }

    /// <summary>
    /// Accounts for one image taken from <paramref name="rank"/>, <paramref name="waiting"/> still counting it: the
    /// priorities below that wait earn credit, the one taken spends a whole image of credit if it had one.
    /// </summary>
    public static void Took(int rank, Span<int> waiting, Span<double> credits, ReadOnlySpan<double> creditPerImageAbove)
    {
        for (var below = rank + 1; below < waiting.Length; below++)
        {
            if (waiting[below] > 0)
                credits[below] += creditPerImageAbove[below];
        }
        if (credits[rank] >= 1)
            credits[rank] -= 1;
        if (--waiting[rank] == 0)
            credits[rank] = 0;
    }

    /// <summary>The credit a waiting priority earns per image run above it, for its guaranteed share of the images.</summary>
    public static double CreditPerImageAbove(double share) => share <= 0 ? 0 : share / (1 - share);
}
