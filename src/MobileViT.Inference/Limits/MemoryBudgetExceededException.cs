using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Limits;

/// <summary>The request memory budget is full: the request is refused before it reads more, and may be retried shortly.</summary>
public sealed class MemoryBudgetExceededException(TimeSpan retryAfter) : InferenceException(ErrorKind.OverMemoryBudget,
    $"The server is holding as many request bytes as its memory budget allows (MobileViT__Limits__RequestMemoryBytes); retry in {retryAfter.TotalSeconds:0} s.",
    BudgetCode, retryAfter)
{
    public const string BudgetCode = ErrorCodes.MemoryBudget;
}
