namespace MobileViT.Inference.Batching;

/// <summary>
/// The admitted work a new request would join, taken under the queue's lock: images waiting at each rank (queued and
/// reserved, the new request not included), each rank's scheduling credit, the new request's rank and its position
/// there in deadline order, and the deadlines of the requests of its rank that it would go before.
/// </summary>
internal sealed record QueueSnapshot(int[] Waiting, double[] Credits, double[] CreditPerImageAbove, int Rank, int Position,
    long[] FollowerDeadlines, bool Full)
{
    /// <summary>Anything admitted that this request would wait behind.</summary>
    public bool AnythingAhead
    {
        get
        {
            if (Position > 0)
                return true;
            for (var rank = 0; rank < Rank; rank++)
            {
                if (Waiting[rank] > 0)
                    return true;
            }
            return false;
        }
    }

    /// <summary>The waiting counts with the new request added.</summary>
    public int[] WaitingWithNew()
    {
        var waiting = (int[])Waiting.Clone();
        waiting[Rank]++;
        return waiting;
    }
}
